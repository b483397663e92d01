"""Every table of the service on one ``MetaData``, for Alembic autogenerate.

Lives beside the migrations (not in ``domain``) because it imports every area's models,
and ``domain`` must not import the areas built on top of it.
"""
from __future__ import annotations

import domain.persistence.clients_models  # noqa: F401  - remembered OAuth consent
import oauth.models  # noqa: F401  - registers the OAuth tables on Base
import domain.persistence.relay_models  # noqa: F401  - the legacy-SSE relay tables
import domain.persistence.limits_models  # noqa: F401  - live spend limits and counters
import domain.persistence.webhook_models  # noqa: F401  - events feed and outbound webhooks
import domain.persistence.mail_models  # noqa: F401  - piece tracking, tracking events, operator credits
from domain.persistence.models import Base

metadata = Base.metadata
