"""Every table of the service on one ``MetaData`` (imports each area's model module)."""
from __future__ import annotations

import importlib

from domain.models import Base

# Areas that keep their own tables; a missing optional area is simply not imported.
_AREA_MODULES = ("oauth.models",)

for _name in _AREA_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # pragma: no cover - area not present
        if exc.name != _name.split(".")[0] and exc.name != _name:
            raise

metadata = Base.metadata
