"""Navigation entries add-ons contribute through ``flowcase_register_menus``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class MenuItem:
    #: Text shown (a lazy translation).
    label: Any
    #: Endpoint name for ``url_for`` or a plain URL starting with ``/``.
    target: str
    #: Area heading it sits under: "sales", "service", "marketing", "settings", ...
    area: str = "general"
    sequence: int = 100
    #: Filled by the core: the add-on that contributed it.
    addon: str = ""
