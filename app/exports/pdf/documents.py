"""Print documents: the plan PDF (current draft or a frozen version) as one HTML snapshot.

The HTML is built where the data is (the web process or the CLI) and is the export's snapshot: its hash,
with the template version, decides whether a ready PDF can be reused. WeasyPrint then only lays it out,
in a worker process (jobs.py). Sections go through the same live-block machinery as the app
(app/portfolio/blocks.py), so blocks other domains register appear in the PDF too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, has_request_context, render_template
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Organization
from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.exports.models import OrganizationLogo
from app.exports.pdf.render import template_version
from app.extensions import db
from app.governance.models import (
    AgendaItem,
    Board,
    BoardMember,
    Decision,
    Meeting,
    MeetingStatus,
    PlanVersion,
    PlanVersionStatus,
    Review,
    ReviewKind,
    ReviewStatus,
    Rubric,
)
from app.governance.services import scoring
from app.plans import snapshots
from app.plans.models import Plan
from app.plans.snapshots.capture import matrix_tables, one_pager_query
from app.portfolio import traceability
from app.portfolio.blocks import BlockRenderer
from app.portfolio.money import format_money

CASE_LABELS = (
    ("problem", "Problem statement"),
    ("options_considered", "Options considered"),
    ("recommended_option", "Recommended option"),
    ("benefits", "Benefits"),
    ("alignment_rationale", "Alignment rationale"),
)

APPENDIX_BLOCKS = (
    ("appendix-objectives", "Objectives and KPIs", "objectives"),
    ("appendix-portfolio", "Initiative portfolio", "initiatives"),
    ("appendix-budget", "Budget by fiscal year and category", "budget"),
)
DECISION_LOG_LIMIT = 200


@dataclass
class PrintSection:
    anchor: str
    title: str
    html: Markup


@dataclass
class PlanDocument:
    """What a plan PDF shows, built once; ``html`` is the snapshot sent to the renderer."""

    plan: Plan
    version: PlanVersion | None
    html: str = ""
    adopted: bool = False
    sections: list[PrintSection] = field(default_factory=list)
    one_pagers: bool = False

    @property
    def snapshot_hash(self) -> str:
        return hashlib.sha256(f"{template_version()}\n{self.html}".encode()).hexdigest()

    @property
    def title(self) -> str:
        return self.version.title if self.version else self.plan.title


def plan_document(
    plan: Plan, *, version: PlanVersion | None = None, today: date | None = None, one_pagers: bool = False
) -> PlanDocument:
    """The plan (or its frozen ``version``) as print HTML, with cover, adoption page, TOC and appendices;
    ``one_pagers`` adds a one-page summary of each initiative in the plan's scope."""
    today = today or utcnow().date()
    if not has_request_context():  # url_for in the live blocks needs a request (CLI, jobs)
        with current_app.test_request_context("/"):
            return plan_document(plan, version=version, today=today, one_pagers=one_pagers)
    document = PlanDocument(plan=plan, version=version, one_pagers=one_pagers)
    data = _data(plan, version, today=today, one_pagers=one_pagers)
    renderer = data.renderer
    raw = (
        [(s.title, s.body) for s in version.sections]
        if version is not None
        else [(s.title, s.body) for s in plan.sections if not s.is_deleted]
    )
    document.sections = [
        PrintSection(f"section-{n}", title, render_markdown(body, fence_renderer=renderer))
        for n, (title, body) in enumerate(raw, start=1)
    ]
    adoption = _adoption(plan, version)
    document.adopted = adoption is not None
    appendices = [
        PrintSection(anchor, title, renderer(f"planwright {block}", "") or Markup(""))
        for anchor, title, block in APPENDIX_BLOCKS
    ]
    document.html = render_template(
        "exports/plan.html",
        document=document,
        plan=plan,
        version=version,
        organization=plan.organization,
        adoption=adoption,
        history=_history(plan),
        appendices=appendices,
        matrix_tables=data.matrix_tables,
        decisions=_decisions(plan.organization_id),
        logo=logo_uri(plan.organization_id),
        summaries=data.summaries,
        money=format_money,
        today=today,
    )
    return document


def logo_uri(organization_id: int) -> str | None:
    """The organization's checked logo as a ``data:`` URI (the only way it reaches the renderer), or None."""
    logo = db.session.get(OrganizationLogo, organization_id)
    return logo.data_uri if logo is not None else None


@dataclass
class _Data:
    renderer: BlockRenderer | snapshots.FrozenBlocks
    matrix_tables: list[traceability.GoalTable]
    summaries: list[Any]


def _data(plan: Plan, version: PlanVersion | None, *, today: date, one_pagers: bool) -> _Data:
    """What the blocks, the traceability appendix and the one-page summaries show: a frozen version's snapshot
    (app/plans/snapshots), never today's data; the draft's live data in a fixed number of statements."""
    if version is not None:
        frozen = snapshots.data_for(version)
        summaries: list[Any] = list(frozen.one_pagers()) if one_pagers else []
        return _Data(snapshots.FrozenBlocks(frozen), frozen.matrix_tables(), summaries)
    live = BlockRenderer(plan, today=today)
    summaries = list(db.session.scalars(one_pager_query(live.scope))) if one_pagers else []
    return _Data(live, matrix_tables(live.scope, live.tree), summaries)


@dataclass(frozen=True)
class Adoption:
    board: str
    outcome: str
    decided_at: Any
    version_number: int
    rationale: str


def _adoption(plan: Plan, version: PlanVersion | None) -> Adoption | None:
    """The adoption record when the printed text is an adopted version; None for drafts and other versions."""
    if version is None or version.status != PlanVersionStatus.ADOPTED:
        return None
    review = db.session.scalar(
        db.select(Review)
        .where(Review.plan_version_id == version.id, Review.kind == ReviewKind.PLAN.value)
        .order_by(Review.id.desc())
        .limit(1)
    )
    decision = _current_decision(review.id) if review is not None else None
    if review is None or decision is None:
        return Adoption("", "Adopted", None, version.number, "")
    return Adoption(
        review.board.name, decision.outcome_enum.label, decision.decided_at, version.number, decision.rationale
    )


def _current_decision(review_id: int) -> Decision | None:
    """Read from the database, not ``review.decisions``: at adoption the decision was just added in this
    session and a collection loaded earlier would not list it."""
    decisions = list(db.session.scalars(db.select(Decision).where(Decision.review_id == review_id)))
    superseded = {d.supersedes_id for d in decisions}
    current = sorted((d for d in decisions if d.id not in superseded), key=lambda d: d.id)
    return current[-1] if current else None


def _history(plan: Plan) -> list[PlanVersion]:
    return list(
        db.session.scalars(db.select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number))
    )


def _decisions(organization_id: int) -> list[Decision]:
    return list(
        db.session.scalars(
            db.select(Decision)
            .where(Decision.organization_id == organization_id)
            .order_by(Decision.decided_at.desc(), Decision.id.desc())
            .limit(DECISION_LOG_LIMIT)
        )
    )


def version_label(version: PlanVersion | None) -> str:
    return f"Version {version.number}" if version else "Current draft"


def pdf_filename(plan: Plan, version: PlanVersion | None, slug: str) -> str:
    """A server-made download name: organization slug, plan id, version, never the user's title."""
    which = f"v{version.number}" if version else "draft"
    return f"{slug}-plan-{plan.id}-{which}.pdf"


# --- board packs ----------------------------------------------------------------------------------------


@dataclass
class PackItem:
    number: int
    review: Review
    case: dict[str, Any]
    summary: scoring.ReviewSummary | None  # None while scoring is open: scores stay private until it closes
    decision: Decision | None


@dataclass
class BoardPackDocument:
    meeting: Meeting
    html: str = ""
    items: list[PackItem] = field(default_factory=list)

    @property
    def snapshot_hash(self) -> str:
        return hashlib.sha256(f"{template_version()}\n{self.html}".encode()).hexdigest()


def scoring_closed(meeting: Meeting, review: Review) -> bool:
    """Scores appear in a board pack only once scoring has closed: the review is decided, or the meeting has
    been marked held (the board has deliberated, so members' scores no longer steer each other)."""
    return review.status == ReviewStatus.DECIDED.value or meeting.status == MeetingStatus.HELD.value


def board_pack_meeting(meeting_id: int) -> Meeting | None:
    """The meeting with its board, members, agenda, reviews and rubrics, in a fixed number of statements."""
    return db.session.scalar(
        db.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.board).selectinload(Board.members).joinedload(BoardMember.user),
            selectinload(Meeting.items)
            .joinedload(AgendaItem.review)
            .options(
                joinedload(Review.initiative),
                joinedload(Review.plan_version),
                selectinload(Review.rubric).selectinload(Rubric.criteria),
                selectinload(Review.decisions),
            ),
        )
    )


def board_pack_document(meeting: Meeting, *, today: date | None = None) -> BoardPackDocument:
    """The meeting's board pack as print HTML: agenda, then per item the frozen business case, objectives,
    costs, risks, the rubric with descriptors, the score summary (once scoring has closed) and space for the
    decision."""
    today = today or utcnow().date()
    document = BoardPackDocument(meeting=meeting)
    closed = [item.review_id for item in meeting.items if scoring_closed(meeting, item.review)]
    summaries = scoring.summaries_for(closed)
    document.items = [
        PackItem(
            number=n,
            review=item.review,
            case=item.review.business_case or {},
            summary=summaries.get(item.review_id),
            decision=item.review.current_decision,
        )
        for n, item in enumerate(meeting.items, start=1)
    ]
    organization = db.session.get(Organization, meeting.organization_id)
    document.html = render_template(
        "exports/board_pack.html",
        document=document,
        meeting=meeting,
        board=meeting.board,
        organization=organization,
        logo=logo_uri(meeting.organization_id),
        starts_at=_local_start(meeting),
        case_labels=CASE_LABELS,
        money=format_money,
        today=today,
    )
    return document


def _local_start(meeting: Meeting) -> str:
    from app.governance.services.meetings import format_local

    return format_local(meeting.starts_at)


def board_pack_filename(meeting: Meeting, slug: str) -> str:
    return f"{slug}-board-pack-meeting-{meeting.id}.pdf"
