"""Demo workforce data for the state office (filled in by the workforce work)."""

from __future__ import annotations

from app.auth.models import Organization, User


def load_demo_workforce(state: Organization, users: dict[tuple[str, str], User]) -> None:
    """Placeholder: nothing yet."""
