"""Workforce pages: the overview, roles with their capacity and skill gaps, the skills catalogue, actions and
the capacity view. Initiative FTE needs and spreadsheets are in ``initiative_views`` and ``transfer_views``.

Each view loads (404 for another organization's object), authorizes (403 for readers), validates, calls one
service, commits once and redirects; a refused form is shown again, status 422, with what was typed.
"""

from __future__ import annotations

from app.workforce.views import actions, overview, role_items, roles, skills  # noqa: F401 - they add routes to bp
from app.workforce.views.shared import FAILED, _attempt, _posted, bp

# isort: split
# Initiative FTE needs, the initiative panel, spreadsheets and live blocks register themselves on import
# (initiative_views takes bp, FAILED, _attempt and _posted from this package, so they are imported above first).
from app.workforce import blocks, initiative_views, transfer_views  # noqa: F401

__all__ = ["FAILED", "_attempt", "_posted", "bp"]
