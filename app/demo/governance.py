"""Demo governance data for the state office (filled in by the governance work)."""

from __future__ import annotations

from app.auth.models import Organization, User
from app.plans.models import Plan


def load_demo_governance(state: Organization, users: dict[tuple[str, str], User], plan: Plan) -> None:
    """Placeholder: nothing yet."""
