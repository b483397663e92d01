"""Which provider prints a piece, chosen by ``PIETERPOST_FULFILLMENT_PROVIDER``.

``simulated`` prints nothing (test orders always use it), ``http`` is the generic print
partner contract (``domain.adapters.print_partner``), ``lob`` and ``pingen`` the real
print-and-mail companies. What a provider cannot print is refused at quote and create
time (``check_supported``), before any money moves, never after payment.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.adapters import lob, pingen
from domain.adapters.lob import LobProvider
from domain.adapters.pingen import PingenProvider
from domain.adapters.print_partner import PrintPartner, SimulatedProvider
from domain.core.errors import DomainError, ErrorCode, Misconfigured
from domain.core.settings import Settings

PROVIDERS = ("simulated", "http", "lob", "pingen")


def provider_name(mode: str, settings: Settings) -> str:
    """The provider a piece of ``mode`` goes to: test orders never leave the machine."""
    if mode == "test":
        return "simulated"
    if settings.fulfillment_provider not in PROVIDERS:
        raise Misconfigured(f"PIETERPOST_FULFILLMENT_PROVIDER must be one of {', '.join(PROVIDERS)}.")
    return settings.fulfillment_provider


def provider_for(mode: str, settings: Settings) -> Any:
    """A ``MailProvider`` for this round of the worker (the caller closes it with ``aclose``)."""
    return adapter_named(provider_name(mode, settings), settings)


def adapter_named(name: str, settings: Settings) -> Any:
    """The adapter of one provider by name (polling asks the provider that took the piece)."""
    if name == "lob":
        return LobProvider(settings)
    if name == "pingen":
        return PingenProvider(settings)
    if name == "http":
        return PrintPartner(settings)
    return SimulatedProvider()


_CHOICES = {
    "lob_use_type": ("marketing", "operational"),
    "lob_address_placement": ("top_first_page", "insert_blank_page", "bottom_first_page_center", "bottom_first_page"),
    "lob_letter_size": ("us_letter", "us_legal"), "lob_postcard_size": ("4x6", "6x9", "6x11"),
    "lob_mail_type": ("usps_first_class", "usps_standard"),
    "pingen_delivery_product": ("fast", "cheap", "bulk", "premium", "registered"),
    "pingen_print_mode": ("simplex", "duplex"), "pingen_print_spectrum": ("grayscale", "color"),
    "pingen_address_position": ("left", "right"),
}
_REQUIRED = {"lob": ("lob_api_key", "lob_from_address", "lob_webhook_secret"),
             "pingen": ("pingen_client_id", "pingen_client_secret", "pingen_organisation_id", "pingen_webhook_secret")}


def check_configuration(settings: Settings) -> None:
    """At start: the chosen provider has what it needs, and its print options are ones it accepts."""
    name = provider_name("live", settings)
    missing = [f"PIETERPOST_{key.upper()}" for key in _REQUIRED.get(name, ()) if not getattr(settings, key)]
    if missing:
        raise Misconfigured(f"PIETERPOST_FULFILLMENT_PROVIDER={name} needs {', '.join(missing)}.")
    for key, allowed in _CHOICES.items():
        if key.startswith(f"{name}_") and getattr(settings, key) not in allowed:
            raise Misconfigured(f"PIETERPOST_{key.upper()} must be one of {', '.join(allowed)}.")


def check_supported(settings: Settings, mode: str, request_type: str, countries: Iterable[str]) -> None:
    """Refuse with ``unsupported_by_provider`` what the live provider cannot print."""
    name = provider_name(mode, settings)
    rules = {"lob": lob.refusal, "pingen": pingen.refusal}.get(name)
    reason = rules(request_type, set(countries)) if rules else None
    if reason:
        raise DomainError(reason, code=ErrorCode.UNSUPPORTED_BY_PROVIDER, field="requestType")
