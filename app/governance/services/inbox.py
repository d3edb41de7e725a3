"""Governance services: the in-app inbox and e-mail notices.

Other governance services call these when something happens; each writes one Notification per
recipient in the caller's transaction (and e-mails it after commit when SMTP is configured).
Placeholders for now: the inbox work fills them in without changing their signatures.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.auth.models import User
from app.governance.models import Decision, Review, SectionComment


def notify_review_submitted(review: Review) -> None:
    """Tell the board's members that an item was submitted to their board."""


def notify_score_due(review: Review, members: Iterable[User]) -> None:
    """Tell members who have not scored that their score is due (e.g. the item is on an agenda)."""


def notify_decision_recorded(decision: Decision) -> None:
    """Tell the submitter (and the initiative's creator) that a decision was recorded."""


def notify_section_comment(comment: SectionComment) -> None:
    """Tell the plan's owner and the section's last editor about a reviewer's comment."""
