"""Panels other domains add to the initiative page (governance, workforce, architecture).

A provider takes the initiative and the signed-in user and returns the panel's HTML, or None when it
has nothing to show. Providers run a fixed number of SQL statements, whatever the data size.
Domains register their provider at import time of their views module (see ``app/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.auth.models import User
from app.portfolio.models import Initiative

PanelProvider = Callable[[Initiative, User], Markup | None]

_PROVIDERS: dict[str, tuple[int, PanelProvider]] = {}


def register_panel(name: str, provider: PanelProvider, *, order: int = 50) -> None:
    """Add (or replace, by name) a panel; lower ``order`` shows higher on the page."""
    _PROVIDERS[name] = (order, provider)


def initiative_panels(initiative: Initiative, user: User) -> list[Markup]:
    panels = []
    for _order, provider in sorted(_PROVIDERS.values(), key=lambda entry: entry[0]):
        html = provider(initiative, user)
        if html:
            panels.append(html)
    return panels
