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

    # pricing, EUR/USD cents (docs/product.md § Pricing)
    price_letter_cents: int = 200
    price_letter_extra_page_cents: int = 50
    price_letter_custom_stamp_cents: int = 30
    price_postcard_cents: int = 250
    letter_max_pages: int = 8

    # limits (docs/product.md § Limits)
    rate_limit_per_minute: int = 60  # per API account (all keys) and per key
    rate_limit_ip_per_minute: int = 600  # per source IP: one IP may serve several accounts
    daily_order_cap: int = 100
    # preview images: fresh renders per minute, per account (API, MCP) or per IP and draft (pages); cached pages are free
    preview_renders_per_minute: int = 60
    live_order_cap_unapproved: int = 0
    # minute rate limits shared by several processes (docs/speed.md); empty = this process's memory
    redis_url: str = Field(default="", repr=False)
    redis_prefix: str = "pieterpost:"
    # verified API keys and OAuth access tokens are remembered this long (revocation drops them at once)
    auth_cache_seconds: float = 10.0
    auth_cache_size: int = 10_000
    # how often batched "last used" stamps of keys and connections are written
    last_used_flush_seconds: float = 15.0
    # server.gc_policy: young-generation threshold once serving (0 = CPython's defaults, nothing frozen)
    gc_gen0_threshold: int = 10_000
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
    # fulfillment worker (docs/product.md § Fulfillment and print files): leases, retries with exponential backoff
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

    # outbound webhooks (docs/webhooks.md): per-attempt timeout, response bytes read, leases
    webhook_allow_private_targets: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_max_response_bytes: int = 64 * 1024
    webhook_lease_seconds: float = 60.0
    webhook_concurrency: int = 16

    # live mail providers (docs/providers/*.md): who prints live orders; test orders never leave
    fulfillment_provider: str = "http"  # simulated | http | lob | pingen
    provider_webhook_tolerance_seconds: float = 300.0  # signed timestamps older/newer than this are refused
    tracking_poll_quiet_seconds: float = 86_400.0  # ask the provider about pieces without news this long
    tracking_poll_batch: int = 20
    operator_credit_max_cents: int = 1_000_000  # one `pieterpost wallet credit` at most
    lob_api_base: str = "https://api.lob.com"
    lob_api_key: str = Field(default="", repr=False)
    lob_webhook_secret: str = Field(default="", repr=False)
    lob_from_address: str = ""  # an adr_ id, or a JSON object with Lob's address fields
    lob_use_type: str = "operational"  # marketing | operational
    lob_address_placement: str = "insert_blank_page"  # top_first_page | insert_blank_page
    lob_color: bool = False
    lob_double_sided: bool = True
    lob_letter_size: str = "us_letter"
    lob_postcard_size: str = "4x6"
    lob_mail_type: str = "usps_first_class"
    pingen_api_base: str = "https://api.pingen.com"
    pingen_identity_base: str = "https://identity.pingen.com"
    pingen_client_id: str = ""
    pingen_client_secret: str = Field(default="", repr=False)
    pingen_organisation_id: str = ""
    pingen_webhook_secret: str = Field(default="", repr=False)
    pingen_delivery_product: str = "cheap"  # fast | cheap | bulk | premium | registered
    pingen_print_mode: str = "simplex"  # simplex | duplex
    pingen_print_spectrum: str = "grayscale"  # grayscale | color
    pingen_address_position: str = "left"  # our A4 layout puts the window on the left (DIN 5008 B)
    pingen_webhook_max_age_seconds: float = 259_200.0  # Pingen signs no timestamp: the event's own created_at

    log_level: str = "INFO"

    # OAuth: a refresh token presented again this soon after its rotation (a retry after a lost
    # response, two client processes sharing one token store) gets fresh tokens instead of
    # ending the family; later reuse still revokes it (docs/oauth.md "Refresh tokens").
    oauth_refresh_grace_seconds: float = Field(default=60.0, ge=0, le=300)

    # MCP endpoint (docs/product.md § MCP server): BASE_URL's host/origin are always allowed; these add more.
    # Env values are JSON lists, e.g. PIETERPOST_MCP_ALLOWED_ORIGINS='["http://localhost:6274"]'.
    mcp_allowed_origins: list[str] = Field(default_factory=list)
    mcp_allowed_hosts: list[str] = Field(default_factory=list)
    # a 50 MB upload_asset file base64-encoded (~67 MB) plus the JSON-RPC envelope
    mcp_max_body_bytes: int = 72 * 1024 * 1024

    # deployment (docs/deploy.md): HTTP server limits, shutdown, health, metrics
    # a body must keep arriving: at most this long between chunks, and in all
    body_idle_timeout_seconds: float = 20.0
    body_total_timeout_seconds: float = 300.0
    keep_alive_timeout_seconds: float = 5.0
    graceful_shutdown_seconds: float = 30.0
    # concurrent connections+tasks per process before uvicorn answers 503 (0 = no limit)
    limit_concurrency: int = 1000
    # proxies whose X-Forwarded-For/-Proto are believed (comma-separated IPs, or "*")
    forwarded_allow_ips: str = "127.0.0.1"
    # /metrics is off unless set; then it needs ``Authorization: Bearer <token>``
    metrics_token: str = Field(default="", repr=False)
    # /readyz pings Redis when redis_url (above) is set

    # asset bytes: "local" (PIETERPOST_ASSET_DIR) or "s3" (any S3-compatible store)
    asset_store: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint: str = ""  # e.g. https://<account>.r2.cloudflarestorage.com; empty = AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: str = Field(default="", repr=False)
    s3_secret_access_key: str = Field(default="", repr=False)

    @field_validator("asset_store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value not in ("local", "s3"):
            raise ValueError("PIETERPOST_ASSET_STORE must be local or s3")
        return value

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
