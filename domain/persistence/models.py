"""Tables of the shared order/wallet domain (SQLAlchemy 2 declarative).

Areas with their own tables (OAuth, …) declare them in their own module on the same ``Base``
(``domain.persistence.base``, also importable from here) and ship their own Alembic revision.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.base import Base
from domain.money.currency import DEFAULT_CURRENCY


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|disabled
    approval_status: Mapped[str] = mapped_column(String(16), default="pending")
    approved_for_direct_send: Mapped[bool] = mapped_column(Boolean, default=False)
    credits_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    hosted_api_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    live_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    mode: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|paused|revoked
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Wallet(Base):
    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("account_id", "mode", "currency"),
        CheckConstraint("balance_cents >= 0", name="wallet_balance_non_negative"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(Base):
    """Append-only: the wallet balance always equals the sum of its rows."""

    __tablename__ = "ledger_entries"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    wallet_id: Mapped[str] = mapped_column(ForeignKey("wallets.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # topup|debit|refund
    order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    topup_id: Mapped[str | None] = mapped_column(String(40))
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_account_created", "account_id", "created_at", "id"),
                      Index("ix_orders_account_mode_created", "account_id", "mode", "created_at", "id"),
                      Index("ix_orders_status_expires", "status", "expires_at"))
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    order_ref: Mapped[str] = mapped_column(String(36), unique=True)
    mode: Mapped[str] = mapped_column(String(8))
    request_type: Mapped[str] = mapped_column(String(16))
    billing_mode: Mapped[str] = mapped_column(String(16))  # credits|hosted_checkout
    status: Mapped[str] = mapped_column(String(16), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    recipient_count: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(200))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(2), default="en")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    return_url: Mapped[str | None] = mapped_column(Text)
    payment_method: Mapped[str] = mapped_column(String(8), default="auto")
    checkout_url: Mapped[str | None] = mapped_column(Text)
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payment_reference: Mapped[str | None] = mapped_column(String(80))
    refund_reference: Mapped[str | None] = mapped_column(String(80))  # wallet:<ledger id> or a Stripe refund id
    error: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="api")
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderPiece(Base):
    """One letter or postcard of an order: what gets printed and handed off."""

    __tablename__ = "order_pieces"
    __table_args__ = (UniqueConstraint("order_id", "position"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    image_asset_id: Mapped[str | None] = mapped_column(String(40))  # stamp or postcard front
    page_count: Mapped[int] = mapped_column(Integer, default=1)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|handed_off|failed
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    handed_off_at: Mapped[datetime | None]


class OrderEvent(Base):
    """Status timeline of an order (dashboard, support)."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Topup(Base):
    __tablename__ = "topups"
    __table_args__ = (Index("ix_topups_account_created", "account_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # pending|paid|failed|expired|cancelled
    checkout_url: Mapped[str | None] = mapped_column(Text)
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    return_url: Mapped[str | None] = mapped_column(Text)
    payment_method: Mapped[str] = mapped_column(String(8), default="auto")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    ledger_entry_id: Mapped[str | None] = mapped_column(String(40))
    paid_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account_id", "scope", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UsageCounter(Base):
    """Fixed-window counters shared by every process (rate limits, daily caps, login throttles)."""

    __tablename__ = "usage_counters"
    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ComposeLink(Base):
    __tablename__ = "compose_links"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    recipient: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(2), default="en")
    external_id: Mapped[str | None] = mapped_column(String(200))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    order_id: Mapped[str | None] = mapped_column(String(40))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Asset(Base):
    __tablename__ = "assets"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    original_name: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    page_count: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    order_id: Mapped[str | None] = mapped_column(String(40))
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[str] = mapped_column(String(40))
    postal_code: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    state: Mapped[str | None] = mapped_column(String(80))
    extra: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    birthday: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StripeEvent(Base):
    """Webhook events applied, by Stripe event id: each applies once."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class FulfillmentJob(Base):
    """A leased unit of worker work; a dead worker's lease runs out and another takes over."""

    __tablename__ = "fulfillment_jobs"
    __table_args__ = (Index("ix_fulfillment_jobs_status_run_after", "status", "run_after"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    leased_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
