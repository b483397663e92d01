"""The API dashboard at ``/api/dashboard``: server-rendered pages over ``domain`` use cases.

Each module serves one section; ``routes`` gathers them for ``server/app.py``.
"""
from __future__ import annotations

from server.web.dashboard import keys, limits, links, mcp, orders, overview, wallet, webhooks

routes = [*overview.routes, *keys.routes, *wallet.routes, *orders.routes, *links.routes, *mcp.routes,
          *limits.routes, *webhooks.routes]
