"""Initiative portfolio pages: the list, an initiative's page and the forms that change it.

Each view loads (404 for another organization's object), authorizes (403 for readers), validates,
calls one service, commits once and redirects; a refused form is shown again with what was typed.
"""

from __future__ import annotations

from app.portfolio.views import initiatives, links, listing, parts  # noqa: F401 - they add routes to bp
from app.portfolio.views.shared import bp

__all__ = ["bp"]
