"""Governance: boards, their rubrics, reviews of initiatives and plans, scores, meetings,
decisions, frozen plan versions with reviewers' comments, budget envelopes and the inbox.

Immutability: a rubric version, a submitted score sheet and a decision are never changed.
Editing a rubric writes a new ``Rubric`` version (reviews keep the one they were scored with);
a correction to a decision is a new ``Decision`` whose ``supersedes_id`` points at the old one.
Database triggers (migration 0003) refuse UPDATE and DELETE on ``decision``.
"""

from app.governance.models.boards import Board, BoardMember, BudgetEnvelope, Rubric, RubricCriterion
from app.governance.models.enums import (
    SCALE,
    BoardRole,
    MeetingStatus,
    Outcome,
    PlanVersionStatus,
    QuorumKind,
    ReviewKind,
    ReviewStatus,
)
from app.governance.models.inbox import Notification
from app.governance.models.meetings import AgendaItem, Meeting
from app.governance.models.reviews import BusinessCase, Decision, Review, Score, ScoreSheet
from app.governance.models.versions import PlanVersion, PlanVersionSection, SectionComment

__all__ = [
    "SCALE",
    "AgendaItem",
    "Board",
    "BoardMember",
    "BoardRole",
    "BudgetEnvelope",
    "BusinessCase",
    "Decision",
    "Meeting",
    "MeetingStatus",
    "Notification",
    "Outcome",
    "PlanVersion",
    "PlanVersionSection",
    "PlanVersionStatus",
    "QuorumKind",
    "Review",
    "ReviewKind",
    "ReviewStatus",
    "Rubric",
    "RubricCriterion",
    "Score",
    "ScoreSheet",
    "SectionComment",
]
