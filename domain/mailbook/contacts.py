"""Mailbook: a user's saved contacts (docs/product.md § Mailbook).

Contacts belong to the account, not to a mode or key, so the functions take the account id.
Address rules are not repeated here: a contact is valid when the recipient it produces passes
``domain.orders.recipients.parse_recipient``; that same recipient object is handed back with every
contact, ready for order payloads. Another account's contact id is ``not_found``.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.paging import PAGE_DEFAULT, PAGE_MAX
from domain.orders.recipients import parse_recipient
from domain.core.errors import InvalidRequest
from domain.core.ids import get_owned, new_id
from domain.persistence.models import Contact
from domain.orders.fields import check_text

REQUIRED = ("displayName", "street", "houseNumber", "postalCode", "city", "country")
OPTIONAL = ("state", "extra", "email", "birthday")
FIELDS = REQUIRED + OPTIONAL
_COLUMNS = {
    "displayName": "display_name", "street": "street", "houseNumber": "house_number",
    "postalCode": "postal_code", "city": "city", "country": "country", "state": "state",
    "extra": "extra", "email": "email", "birthday": "birthday",
}
# recipient field -> contact field, to name the caller's field when the address check fails
_RECIPIENT_TO_CONTACT = {"name": "displayName", "number": "houseNumber", "streetAddress": "street"}
DEFAULT_LIMIT = PAGE_DEFAULT
MAX_LIMIT = PAGE_MAX
MAX_LEN = 200


def _text(value: object, field: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidRequest(f"{field} is required", field=field)
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string", field=field)
    value = check_text(value, field).strip()
    if len(value) > MAX_LEN:
        raise InvalidRequest(f"{field} is longer than {MAX_LEN} characters", field=field)
    return value


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidRequest("email is not a valid email address", field="email") from None


def _birthday(value: str | None) -> str | None:
    """YYYY-MM-DD, a real calendar date, not in the future."""
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) != 10 or parsed > utcnow().date():
        raise InvalidRequest("birthday must be a past date written YYYY-MM-DD", field="birthday")
    return value


def _recipient_input(fields: dict[str, str | None], contact_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": fields["displayName"], "street": fields["street"], "number": fields["houseNumber"],
        "postalCode": fields["postalCode"], "city": fields["city"], "country": fields["country"],
    }
    for key in ("state", "extra"):
        if fields.get(key):
            out[key] = fields[key]
    if contact_id:
        out["id"] = contact_id
    return out


def _checked(fields: dict[str, str | None]) -> dict[str, str | None]:
    """Validate a full set of contact fields; country and postal code come back normalised."""
    try:
        recipient = parse_recipient(_recipient_input(fields, None), "contact")
    except InvalidRequest as err:
        leaf = (err.field or "").removeprefix("contact.")
        name = _RECIPIENT_TO_CONTACT.get(leaf, leaf) or None
        message = err.message.replace(f"contact.{leaf}", name or "address") if leaf else err.message
        raise InvalidRequest(message, field=name) from None
    return {
        **fields,
        "country": recipient.country,
        "postalCode": recipient.postal_code or fields["postalCode"],
        "state": recipient.state or fields.get("state"),
        "email": _email(fields.get("email")),
        "birthday": _birthday(fields.get("birthday")),
    }


def _read_fields(data: dict[str, Any], *, partial: bool) -> dict[str, str | None]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InvalidRequest(f"{unknown[0]} is not a known contact field", field=unknown[0])
    out: dict[str, str | None] = {}
    for field in FIELDS:
        if partial and field not in data:
            continue
        out[field] = _text(data.get(field), field, required=field in REQUIRED)
    return out


def recipient_of(contact: Contact) -> dict[str, Any]:
    """The order-payload recipient for a saved contact: every contact result carries one."""
    fields = {api: getattr(contact, column) for api, column in _COLUMNS.items()}
    return _recipient_input(fields, contact.id)


def contact_view(contact: Contact) -> dict[str, Any]:
    view: dict[str, Any] = {"id": contact.id}
    view.update({api: getattr(contact, column) for api, column in _COLUMNS.items()})
    view["createdAt"] = iso(contact.created_at)
    view["updatedAt"] = iso(contact.updated_at)
    view["recipient"] = recipient_of(contact)
    return view


async def create_contact(session: AsyncSession, account_id: str, data: dict[str, Any]) -> Contact:
    fields = _checked(_read_fields(data, partial=False))
    now = utcnow()
    contact = Contact(id=new_id("contact"), account_id=account_id, created_at=now, updated_at=now,
                      **{_COLUMNS[k]: v for k, v in fields.items()})
    session.add(contact)
    await session.flush()
    return contact


async def get_contact(session: AsyncSession, account_id: str, contact_id: str) -> Contact:
    return await get_owned(session, Contact, contact_id, account_id, "Mailbook contact", field="contactId")


async def update_contact(session: AsyncSession, account_id: str, contact_id: str, changes: dict[str, Any]) -> Contact:
    """Only the given fields change; the merged contact must still be a valid address."""
    contact = await get_contact(session, account_id, contact_id)
    given = _read_fields(changes, partial=True)
    merged = {api: getattr(contact, column) for api, column in _COLUMNS.items()}
    merged.update(given)
    for field in REQUIRED:
        if merged.get(field) is None:
            raise InvalidRequest(f"{field} cannot be removed", field=field)
    for api, value in _checked(merged).items():
        setattr(contact, _COLUMNS[api], value)
    contact.updated_at = utcnow()
    await session.flush()
    return contact


async def delete_contact(session: AsyncSession, account_id: str, contact_id: str) -> None:
    contact = await get_contact(session, account_id, contact_id)
    await session.delete(contact)
    await session.flush()


def parse_limit(value: object, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= maximum or value != int(value):
        raise InvalidRequest(f"limit must be a whole number from 1 to {maximum}", field="limit")
    return int(value)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def search_contacts(session: AsyncSession, account_id: str, query: str | None = None,
                          limit: int = DEFAULT_LIMIT) -> list[Contact]:
    """Every word of ``query`` must appear in the name, email, city or street (case-insensitive)."""
    stmt = select(Contact).where(Contact.account_id == account_id)
    words = check_text(query or "", "query").split()
    if words:
        columns = (Contact.display_name, Contact.email, Contact.city, Contact.street)
        stmt = stmt.where(and_(*(
            or_(*(func.lower(col).like(_like(word), escape="\\") for col in columns)) for word in words
        )))
    stmt = stmt.order_by(func.lower(Contact.display_name), Contact.id).limit(limit)
    return list((await session.execute(stmt)).scalars())
