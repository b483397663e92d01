"""Words of the payer-facing pages in the six locales an order may name (``domain.orders.fields.LOCALES``).

Sentences put the letter/postcard noun after a preposition ("for your postcard") so one
sentence serves both kinds and both numbers without agreement rules.
"""
from __future__ import annotations

from domain.money.currency import SYMBOLS
from domain.orders.fields import DEFAULT_LOCALE, LOCALES

__all__ = ["COMPOSE", "KIND_LABELS", "LOCALES", "NOUNS", "RETURN", "locale_or_default", "money", "return_texts"]

# (singular, plural) noun phrases with their possessive, per kind
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {"letter": ("your letter", "your letters"), "postcard": ("your postcard", "your postcards")},
    "de": {"letter": ("Ihren Brief", "Ihre Briefe"), "postcard": ("Ihre Postkarte", "Ihre Postkarten")},
    "es": {"letter": ("tu carta", "tus cartas"), "postcard": ("tu postal", "tus postales")},
    "fr": {"letter": ("votre lettre", "vos lettres"),
           "postcard": ("votre carte postale", "vos cartes postales")},
    "it": {"letter": ("la tua lettera", "le tue lettere"), "postcard": ("la tua cartolina", "le tue cartoline")},
    "nl": {"letter": ("je brief", "je brieven"), "postcard": ("je ansichtkaart", "je ansichtkaarten")},
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {"letter": "Letter", "postcard": "Postcard"},
    "de": {"letter": "Brief", "postcard": "Postkarte"},
    "es": {"letter": "Carta", "postcard": "Postal"},
    "fr": {"letter": "Lettre", "postcard": "Carte postale"},
    "it": {"letter": "Lettera", "postcard": "Cartolina"},
    "nl": {"letter": "Brief", "postcard": "Ansichtkaart"},
}

# outcome -> (title, sentence with {noun})
RETURN: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "paid": ("Thank you", "Payment received for {noun}. We take care of printing and posting."),
        "processing": ("Confirming your payment",
                       "Thanks! We are confirming the payment for {noun}; printing starts once it is confirmed."),
        "cancelled": ("Checkout cancelled", "The checkout for {noun} was cancelled. Nothing was charged and "
                                            "nothing will be sent."),
        "expired": ("Checkout expired", "The checkout for {noun} has expired. Nothing was charged."),
        "failed": ("Payment failed", "The payment for {noun} did not go through. Nothing will be sent."),
        "open": ("Checkout open", "The checkout for {noun} is still open."),
    },
    "de": {
        "paid": ("Vielen Dank", "Zahlung für {noun} erhalten. Wir kümmern uns um Druck und Versand."),
        "processing": ("Zahlung wird bestätigt", "Danke! Wir bestätigen gerade die Zahlung für {noun}; der Druck "
                                                 "beginnt, sobald sie bestätigt ist."),
        "cancelled": ("Bezahlung abgebrochen", "Die Bezahlung für {noun} wurde abgebrochen. Es wurde nichts "
                                               "berechnet und es wird nichts verschickt."),
        "expired": ("Bezahlung abgelaufen", "Die Bezahlung für {noun} ist abgelaufen. Es wurde nichts berechnet."),
        "failed": ("Zahlung fehlgeschlagen", "Die Zahlung für {noun} ist fehlgeschlagen. Es wird nichts verschickt."),
        "open": ("Bezahlung offen", "Die Bezahlung für {noun} ist noch offen."),
    },
    "es": {
        "paid": ("¡Gracias!", "Hemos recibido el pago de {noun}. Nosotros nos encargamos de imprimir y enviar."),
        "processing": ("Confirmando el pago", "¡Gracias! Estamos confirmando el pago de {noun}; la impresión "
                                              "empieza en cuanto se confirme."),
        "cancelled": ("Pago cancelado", "Se canceló el pago de {noun}. No se ha cobrado nada y no se enviará nada."),
        "expired": ("Pago caducado", "El pago de {noun} ha caducado. No se ha cobrado nada."),
        "failed": ("Pago fallido", "El pago de {noun} no se completó. No se enviará nada."),
        "open": ("Pago pendiente", "El pago de {noun} sigue pendiente."),
    },
    "fr": {
        "paid": ("Merci", "Paiement reçu pour {noun}. Nous nous occupons de l'impression et de l'envoi."),
        "processing": ("Confirmation du paiement", "Merci ! Nous confirmons le paiement pour {noun} ; l'impression "
                                                   "commence dès qu'il est confirmé."),
        "cancelled": ("Paiement annulé", "Le paiement pour {noun} a été annulé. Rien n'a été débité et rien ne "
                                         "sera envoyé."),
        "expired": ("Paiement expiré", "Le paiement pour {noun} a expiré. Rien n'a été débité."),
        "failed": ("Échec du paiement", "Le paiement pour {noun} a échoué. Rien ne sera envoyé."),
        "open": ("Paiement en attente", "Le paiement pour {noun} est toujours en attente."),
    },
    "it": {
        "paid": ("Grazie", "Pagamento ricevuto per {noun}. Ci occupiamo noi di stampa e spedizione."),
        "processing": ("Conferma del pagamento", "Grazie! Stiamo confermando il pagamento per {noun}; la stampa "
                                                 "inizia appena è confermato."),
        "cancelled": ("Pagamento annullato", "Il pagamento per {noun} è stato annullato. Non è stato addebitato "
                                             "nulla e non verrà spedito nulla."),
        "expired": ("Pagamento scaduto", "Il pagamento per {noun} è scaduto. Non è stato addebitato nulla."),
        "failed": ("Pagamento non riuscito", "Il pagamento per {noun} non è andato a buon fine. Non verrà "
                                             "spedito nulla."),
        "open": ("Pagamento in sospeso", "Il pagamento per {noun} è ancora in sospeso."),
    },
    "nl": {
        "paid": ("Bedankt", "Betaling ontvangen voor {noun}. Wij zorgen voor het drukken en versturen."),
        "processing": ("Betaling wordt bevestigd", "Bedankt! We bevestigen de betaling voor {noun}; het drukken "
                                                   "begint zodra die bevestigd is."),
        "cancelled": ("Betaling geannuleerd", "De betaling voor {noun} is geannuleerd. Er is niets afgeschreven "
                                              "en er wordt niets verstuurd."),
        "expired": ("Betaling verlopen", "De betaling voor {noun} is verlopen. Er is niets afgeschreven."),
        "failed": ("Betaling mislukt", "De betaling voor {noun} is mislukt. Er wordt niets verstuurd."),
        "open": ("Betaling open", "De betaling voor {noun} staat nog open."),
    },
}

# the compose-link editor
COMPOSE: dict[str, dict[str, str]] = {
    "en": {"title": "Review and send", "recipient": "Recipient", "name": "Name", "streetAddress": "Street and number",
           "extra": "Address line 2", "postalCode": "Postal code", "city": "City", "state": "State or province",
           "country": "Country", "addressLines": "Address lines", "message": "Message", "kind": "Send as",
           "price": "Price", "pay": "Continue to payment", "already": "This draft has already been paid.",
           "status": "View status"},
    "de": {"title": "Prüfen und senden", "recipient": "Empfänger", "name": "Name", "streetAddress": "Straße und Hausnummer",
           "extra": "Adresszusatz", "postalCode": "Postleitzahl", "city": "Ort", "state": "Bundesland / Region",
           "country": "Land", "addressLines": "Adresszeilen", "message": "Nachricht", "kind": "Senden als",
           "price": "Preis", "pay": "Weiter zur Bezahlung", "already": "Dieser Entwurf ist bereits bezahlt.",
           "status": "Status ansehen"},
    "es": {"title": "Revisar y enviar", "recipient": "Destinatario", "name": "Nombre", "streetAddress": "Calle y número",
           "extra": "Línea de dirección 2", "postalCode": "Código postal", "city": "Ciudad",
           "state": "Estado o provincia", "country": "País", "addressLines": "Líneas de dirección",
           "message": "Mensaje", "kind": "Enviar como", "price": "Precio", "pay": "Continuar al pago",
           "already": "Este borrador ya está pagado.", "status": "Ver estado"},
    "fr": {"title": "Vérifier et envoyer", "recipient": "Destinataire", "name": "Nom",
           "streetAddress": "Numéro et rue", "extra": "Complément d'adresse", "postalCode": "Code postal",
           "city": "Ville", "state": "État ou province", "country": "Pays", "addressLines": "Lignes d'adresse",
           "message": "Message", "kind": "Envoyer comme", "price": "Prix", "pay": "Continuer vers le paiement",
           "already": "Ce brouillon a déjà été payé.", "status": "Voir le statut"},
    "it": {"title": "Controlla e invia", "recipient": "Destinatario", "name": "Nome", "streetAddress": "Via e numero",
           "extra": "Riga indirizzo 2", "postalCode": "CAP", "city": "Città", "state": "Provincia o stato",
           "country": "Paese", "addressLines": "Righe dell'indirizzo", "message": "Messaggio", "kind": "Invia come",
           "price": "Prezzo", "pay": "Procedi al pagamento", "already": "Questa bozza è già stata pagata.",
           "status": "Vedi stato"},
    "nl": {"title": "Controleren en versturen", "recipient": "Ontvanger", "name": "Naam",
           "streetAddress": "Straat en huisnummer", "extra": "Adresregel 2", "postalCode": "Postcode",
           "city": "Plaats", "state": "Provincie of staat", "country": "Land", "addressLines": "Adresregels",
           "message": "Bericht", "kind": "Versturen als", "price": "Prijs", "pay": "Verder naar betalen",
           "already": "Dit concept is al betaald.", "status": "Status bekijken"},
}


def locale_or_default(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


def money(cents: int, currency: str, locale: str) -> str:
    """``€2.50`` in English, ``2,50 €`` elsewhere (hand-written: Babel would do this for 2 lines)."""
    symbol = SYMBOLS.get(currency.lower(), currency.upper() + " ")
    whole, frac = divmod(cents, 100)
    if locale == "en":
        return f"{symbol}{whole}.{frac:02d}"
    return f"{whole},{frac:02d} {symbol}"


def return_texts(locale: str, outcome: str, kind: str, count: int) -> tuple[str, str]:
    locale = locale_or_default(locale)
    title, sentence = RETURN[locale][outcome]
    noun = NOUNS[locale][kind][0 if count == 1 else 1]
    return title, sentence.format(noun=noun)


# the compose editor's preview panel
PREVIEW: dict[str, dict[str, str]] = {
    "en": {"heading": "Preview", "button": "Preview", "page": "Page {n}", "front": "Front", "back": "Back",
           "window": "envelope window", "stamp": "stamp area", "address": "address",
           "legend": "Dashed outlines show the {window} and the {stamp}; they are not printed.",
           "legend_card": "Dashed outlines show the address area and the stamp area; they are not printed.",
           "alt": "Page {n} as it will be printed", "none": "No preview yet", "updating": "Updating the preview…"},
    "de": {"heading": "Vorschau", "button": "Vorschau", "page": "Seite {n}", "front": "Vorderseite",
           "back": "Rückseite", "window": "Sichtfenster", "stamp": "Briefmarkenfeld", "address": "Adresse",
           "legend": "Gestrichelt: {window} und {stamp}; sie werden nicht gedruckt.",
           "legend_card": "Gestrichelt: Adressfeld und Briefmarkenfeld; sie werden nicht gedruckt.",
           "alt": "Seite {n}, wie sie gedruckt wird", "none": "Noch keine Vorschau",
           "updating": "Vorschau wird aktualisiert…"},
    "es": {"heading": "Vista previa", "button": "Vista previa", "page": "Página {n}", "front": "Anverso",
           "back": "Reverso", "window": "ventana del sobre", "stamp": "zona del sello", "address": "dirección",
           "legend": "Las líneas discontinuas marcan la {window} y la {stamp}; no se imprimen.",
           "legend_card": "Las líneas discontinuas marcan la zona de la dirección y la del sello; no se imprimen.",
           "alt": "Página {n} tal como se imprimirá", "none": "Aún no hay vista previa",
           "updating": "Actualizando la vista previa…"},
    "fr": {"heading": "Aperçu", "button": "Aperçu", "page": "Page {n}", "front": "Recto", "back": "Verso",
           "window": "fenêtre de l'enveloppe", "stamp": "zone du timbre", "address": "adresse",
           "legend": "Les pointillés montrent la {window} et la {stamp} ; ils ne sont pas imprimés.",
           "legend_card": "Les pointillés montrent la zone d'adresse et la zone du timbre ; ils ne sont pas imprimés.",
           "alt": "Page {n} telle qu'elle sera imprimée", "none": "Pas encore d'aperçu",
           "updating": "Mise à jour de l'aperçu…"},
    "it": {"heading": "Anteprima", "button": "Anteprima", "page": "Pagina {n}", "front": "Fronte", "back": "Retro",
           "window": "finestra della busta", "stamp": "spazio francobollo", "address": "indirizzo",
           "legend": "Le linee tratteggiate mostrano la {window} e lo {stamp}; non vengono stampate.",
           "legend_card": "Le linee tratteggiate mostrano lo spazio indirizzo e lo spazio francobollo; non vengono stampate.",
           "alt": "Pagina {n} come verrà stampata", "none": "Ancora nessuna anteprima",
           "updating": "Aggiornamento dell'anteprima…"},
    "nl": {"heading": "Voorbeeld", "button": "Voorbeeld", "page": "Pagina {n}", "front": "Voorkant",
           "back": "Achterkant", "window": "envelopvenster", "stamp": "postzegelvak", "address": "adres",
           "legend": "Gestippeld: het {window} en het {stamp}; die worden niet gedrukt.",
           "legend_card": "Gestippeld: het adresvak en het postzegelvak; die worden niet gedrukt.",
           "alt": "Pagina {n} zoals die gedrukt wordt", "none": "Nog geen voorbeeld",
           "updating": "Voorbeeld wordt bijgewerkt…"},
}

# the shared page frame (base.html): skip link, site navigation, footer
CHROME: dict[str, dict[str, str]] = {
    "en": {"skip": "Skip to content", "nav": "Site", "dashboard": "Dashboard", "api_docs": "API docs",
           "mcp_docs": "MCP docs", "footer": "PieterPost sends real letters and postcards. Test mode never prints "
                                             "or charges."},
    "de": {"skip": "Zum Inhalt springen", "nav": "Website", "dashboard": "Dashboard", "api_docs": "API-Doku",
           "mcp_docs": "MCP-Doku", "footer": "PieterPost verschickt echte Briefe und Postkarten. Im Testmodus wird "
                                             "nichts gedruckt oder berechnet."},
    "es": {"skip": "Saltar al contenido", "nav": "Sitio", "dashboard": "Panel", "api_docs": "Documentación API",
           "mcp_docs": "Documentación MCP", "footer": "PieterPost envía cartas y postales reales. El modo de prueba "
                                                      "nunca imprime ni cobra."},
    "fr": {"skip": "Aller au contenu", "nav": "Site", "dashboard": "Tableau de bord", "api_docs": "Doc API",
           "mcp_docs": "Doc MCP", "footer": "PieterPost envoie de vraies lettres et cartes postales. Le mode test "
                                            "n'imprime et ne facture jamais rien."},
    "it": {"skip": "Vai al contenuto", "nav": "Sito", "dashboard": "Dashboard", "api_docs": "Documentazione API",
           "mcp_docs": "Documentazione MCP", "footer": "PieterPost spedisce lettere e cartoline vere. La modalità "
                                                       "di test non stampa e non addebita mai nulla."},
    "nl": {"skip": "Naar de inhoud", "nav": "Site", "dashboard": "Dashboard", "api_docs": "API-documentatie",
           "mcp_docs": "MCP-documentatie", "footer": "PieterPost verstuurt echte brieven en ansichtkaarten. In "
                                                     "testmodus wordt nooit iets gedrukt of afgeschreven."},
}


def chrome(locale: str | None) -> dict[str, str]:
    """The shared frame's words for ``locale`` (English for pages that are not localized)."""
    return CHROME[locale_or_default(locale)]
