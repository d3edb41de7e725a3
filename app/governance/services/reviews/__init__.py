"""Governance services: business cases, submission to a board, scoring, recusal and withdrawal.

Each operation checks its rules, flushes, writes one audit event and never commits. Events about an
initiative's case and its reviews are recorded on the initiative (object type ``initiative``) so its history
reads in one place; scores and recusals on the review (object type ``review``).

Status: submitting moves the initiative to ``submitted``; the first time a member submits scores, or the review
is first put on a meeting's agenda (whichever comes first), it moves to ``under_review``. Withdrawing the last
open review puts it back to ``proposed``.
"""

from app.governance.services import inbox  # reviews.inbox is the inbox module, as before the split
from app.governance.services.reviews.cases import CASE_FIELDS, CASE_LABELS, CaseFields, case_of, save_business_case
from app.governance.services.reviews.common import AlreadyDone
from app.governance.services.reviews.sheets import recuse, save_scores, scoring_problems, sheet_of
from app.governance.services.reviews.submission import (
    SUBMITTABLE,
    SubmissionRefused,
    board_problems,
    mark_under_review,
    missing_for_submission,
    open_review_id,
    snapshot,
    submit_initiative,
    withdraw_open_reviews,
    withdraw_review,
)

# Patch a function where it is called: open_review_id in ``submission``, sheet_of in ``sheets``.

__all__ = [
    "CASE_FIELDS",
    "CASE_LABELS",
    "SUBMITTABLE",
    "AlreadyDone",
    "CaseFields",
    "SubmissionRefused",
    "board_problems",
    "case_of",
    "inbox",
    "mark_under_review",
    "missing_for_submission",
    "open_review_id",
    "recuse",
    "save_business_case",
    "save_scores",
    "scoring_problems",
    "sheet_of",
    "snapshot",
    "submit_initiative",
    "withdraw_open_reviews",
    "withdraw_review",
]
