"""Governance services: adoption."""

from __future__ import annotations

from app.governance.models import Decision, Review


def apply_plan_decision(review: Review, decision: Decision) -> None:
    """Apply a board's decision on a plan version (adopt, or return it); called by the decision service
    in the decision's transaction. Placeholder: the plan-adoption work fills it in."""
