"""Plan adoption: frozen versions sent to a board, members' review of a version, the adoption decision and
publication. Services flush, write audit events and never commit.

How a plan's status moves (``Plan.is_editable`` and ``plans.services.start_new_draft``):

- ``draft``: being written. Submitting it freezes version N and sends it to a board: ``in_review``.
- ``in_review``: version N is with a board and the draft has not changed since. The plan stays editable;
  the first change moves it back to ``draft`` (the draft of version N+1) while version N stays frozen.
- The board's decision (``apply_plan_decision``): adopt → version ``adopted`` (an earlier adopted version
  becomes ``superseded``) and the plan ``approved`` if its text still equals the adopted version, otherwise it
  stays ``draft``; defer, request changes or reject → version ``returned`` and the plan back to ``draft``.
- ``approved``: read-only; an editor starts the next revision explicitly (``start_next_revision``) → ``draft``.
- ``published``: an admin publishes an approved plan that has an adopted version; read-only. Unpublishing
  returns it to ``approved``. ``archived``: read-only, for good.
"""

from app.governance.services.adoption.board_review import board_member, mark_reviewed, recuse, sheet_of
from app.governance.services.adoption.comments import (
    MAX_COMMENT_CHARS,
    add_comment,
    can_comment,
    can_resolve,
    comments_by_section,
    quote_appears_in,
    set_resolved,
)
from app.governance.services.adoption.decision import ADOPTING, apply_plan_decision, draft_matches
from app.governance.services.adoption.lifecycle import archive_plan, publish_plan, start_next_revision, unpublish_plan
from app.governance.services.adoption.snapshots import Snapshot, SnapshotSection, snapshot_of_draft, snapshot_of_version
from app.governance.services.adoption.submission import frozen_scope, plan_boards, submit_plan
from app.governance.services.adoption.versions import (
    AdoptionSummary,
    VersionEntry,
    adoption_summary,
    load_version,
    review_of,
    version_history,
)

__all__ = [
    "ADOPTING",
    "MAX_COMMENT_CHARS",
    "AdoptionSummary",
    "Snapshot",
    "SnapshotSection",
    "VersionEntry",
    "add_comment",
    "adoption_summary",
    "apply_plan_decision",
    "archive_plan",
    "board_member",
    "can_comment",
    "can_resolve",
    "comments_by_section",
    "draft_matches",
    "frozen_scope",
    "load_version",
    "mark_reviewed",
    "plan_boards",
    "publish_plan",
    "quote_appears_in",
    "recuse",
    "review_of",
    "set_resolved",
    "sheet_of",
    "snapshot_of_draft",
    "snapshot_of_version",
    "start_next_revision",
    "submit_plan",
    "unpublish_plan",
    "version_history",
]
