"""Service settings, read once from ``PIETERPOST_*`` environment variables.

Lives in ``domain`` because prices and limits are domain rules; the edge only reads it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIETERPOST_", extra="ignore")

    base_url: str = "http://127.0.0.1:8000"
    database_url: str = "sqlite+aiosqlite:///./var/pieterpost.db"
    asset_dir: Path = Path("./var/assets")
    secret_key: str = Field(default="", repr=False)

    # pricing, EUR/USD cents (SPEC "Pricing")
    price_letter_cents: int = 200
    price_letter_extra_page_cents: int = 50
    price_letter_custom_stamp_cents: int = 30
    price_postcard_cents: int = 250
    letter_max_pages: int = 8

    # limits (SPEC "Limits")
    rate_limit_per_minute: int = 60  # per API account (all keys) and per key
    rate_limit_ip_per_minute: int = 600  # per source IP: one IP may serve several accounts
    daily_order_cap: int = 100
    # preview images: fresh renders per minute, per account and per source IP (cached pages are free)
    preview_renders_per_minute: int = 30
    live_order_cap_unapproved: int = 0
    # minute rate limits shared by several processes (docs/speed.md); empty = this process's memory
    redis_url: str = Field(default="", repr=False)
    redis_prefix: str = "pieterpost:"
    # verified API keys and OAuth access tokens are remembered this long (revocation drops them at once)
    auth_cache_seconds: float = 10.0
    auth_cache_size: int = 10_000
    # how often batched "last used" stamps of keys and connections are written
    last_used_flush_seconds: float = 15.0
    # what live direct sends may draw from the wallet per account, per currency and UTC day (cents;
    # 10 000 = 100 EUR/USD). Operators override it per account, holders and keys only lower it (docs/limits.md).
    live_daily_spend_limit_cents: int = Field(default=10_000, ge=0)

    # payments and fulfillment
    stripe_secret_key: str = Field(default="", repr=False)
    stripe_webhook_secret: str = Field(default="", repr=False)
    stripe_api_base: str = ""
    fulfillment_url: str = ""
    fulfillment_token: str = Field(default="", repr=False)
    run_worker: bool = True
    # fulfillment worker (SPEC "Fulfillment"): leases, retries with exponential backoff
    worker_poll_seconds: float = 2.0
    fulfillment_lease_seconds: float = 120.0
    fulfillment_retry_base_seconds: float = 10.0
    fulfillment_retry_max_seconds: float = 3600.0
    fulfillment_max_attempts: int = 10
    fulfillment_timeout_seconds: float = 30.0
    # a live checkout is only marked expired this long after Stripe's own expiry, so a payment
    # completed in the last second still finds its order open when the webhook arrives
    checkout_expiry_grace_seconds: float = 600.0
    # test hook for subprocess servers/workers: shift this process's clock (domain.core.clock)
    clock_offset_seconds: float = 0.0

    log_level: str = "INFO"

    # OAuth: a refresh token presented again this soon after its rotation (a retry after a lost
    # response, two client processes sharing one token store) gets fresh tokens instead of
    # ending the family; later reuse still revokes it (docs/oauth.md "Refresh tokens").
    oauth_refresh_grace_seconds: float = Field(default=60.0, ge=0, le=300)

    # MCP endpoint (SPEC "MCP server"): BASE_URL's host/origin are always allowed; these add more.
    # Env values are JSON lists, e.g. PIETERPOST_MCP_ALLOWED_ORIGINS='["http://localhost:6274"]'.
    mcp_allowed_origins: list[str] = Field(default_factory=list)
    mcp_allowed_hosts: list[str] = Field(default_factory=list)
    # a 50 MB upload_asset file base64-encoded (~67 MB) plus the JSON-RPC envelope
    mcp_max_body_bytes: int = 72 * 1024 * 1024

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
