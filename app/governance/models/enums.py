"""Governance states and choices (board roles, quorum kinds, review, decision, meeting and version states)."""

from __future__ import annotations

import enum


def _labelled(value: str) -> str:
    return value.replace("_", " ").capitalize()


class BoardRole(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class QuorumKind(enum.StrEnum):
    COUNT = "count"  # at least N members
    PERCENT = "percent"  # at least N % of the members (rounded up)


class ReviewKind(enum.StrEnum):
    INITIATIVE = "initiative"
    PLAN = "plan"


class ReviewStatus(enum.StrEnum):
    OPEN = "open"  # submitted; members score; waiting for a decision
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class Outcome(enum.StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    DEFER = "defer"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class PlanVersionStatus(enum.StrEnum):
    IN_REVIEW = "in_review"  # submitted to a board, no decision yet
    ADOPTED = "adopted"
    RETURNED = "returned"  # the board deferred, asked for changes or rejected
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a later version was adopted

    @property
    def label(self) -> str:
        return _labelled(self.value)


def _values(enum_class: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_class)


SCALE = (1, 2, 3, 4, 5)
