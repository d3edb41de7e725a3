"""Demo plan adoption (placeholder made by the boards work so the demo loads; the plan-adoption work replaces it)."""

from __future__ import annotations

from app.auth.models import Organization, User
from app.plans.models import Plan


def load_demo_adoption(state: Organization, users: dict[tuple[str, str], User], plan: Plan) -> None:
    """Placeholder: nothing yet."""
