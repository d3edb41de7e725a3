"""Plan pages: plans, their sections and revision history, the plan's scope and its analysis pages.

``shared`` holds the blueprint and what the pages share; the other modules add their routes to it on import.
"""

from __future__ import annotations

from app.plans.views import analysis, history, plans, sections  # noqa: F401 - they add routes to bp
from app.plans.views.analysis import ScopeForm
from app.plans.views.shared import bp

__all__ = ["ScopeForm", "bp"]
