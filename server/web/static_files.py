"""``/static``: the shared stylesheet and the small progressive-enhancement script."""
from __future__ import annotations

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from server.web.render import STATIC_DIR

routes = [Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static")]
