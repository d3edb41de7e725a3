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

from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.exports.pdf.render import template_version
from app.extensions import db
from app.governance.models import Decision, PlanVersion, PlanVersionStatus, Review, ReviewKind
from app.plans.models import Plan
from app.portfolio import traceability
from app.portfolio.blocks import BlockRenderer

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

    @property
    def snapshot_hash(self) -> str:
        return hashlib.sha256(f"{template_version()}\n{self.html}".encode()).hexdigest()

    @property
    def title(self) -> str:
        return self.version.title if self.version else self.plan.title


def plan_document(plan: Plan, *, version: PlanVersion | None = None, today: date | None = None) -> PlanDocument:
    """The plan (or its frozen ``version``) as print HTML, with cover, adoption page, TOC and appendices."""
    today = today or utcnow().date()
    if not has_request_context():  # url_for in the live blocks needs a request (CLI, jobs)
        with current_app.test_request_context("/"):
            return plan_document(plan, version=version, today=today)
    document = PlanDocument(plan=plan, version=version)
    renderer = BlockRenderer(plan, today=today)
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
        matrix_tables=_matrix_tables(renderer),
        decisions=_decisions(plan.organization_id),
        today=today,
    )
    return document


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
    decision = review.current_decision if review is not None else None
    if review is None or decision is None:
        return Adoption("", "Adopted", None, version.number, "")
    return Adoption(
        review.board.name, decision.outcome_enum.label, decision.decided_at, version.number, decision.rationale
    )


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


def _matrix_tables(renderer: BlockRenderer) -> list[traceability.GoalTable]:
    """Every goal's matrix, split into tables of at most COLUMNS_PER_PAGE initiatives (one landscape page each)."""
    tables = []
    for summary in traceability.goal_summaries(renderer.scope, renderer.tree):
        pages = max(1, -(-summary.initiatives // traceability.COLUMNS_PER_PAGE))
        for page in range(1, pages + 1):
            found = traceability.matrix(renderer.scope, goal=summary.goal.code, page=page)
            if found is not None and found.table is not None:
                tables.append(found.table)
    return tables


def version_label(version: PlanVersion | None) -> str:
    return f"Version {version.number}" if version else "Current draft"


def pdf_filename(plan: Plan, version: PlanVersion | None, slug: str) -> str:
    """A server-made download name: organization slug, plan id, version, never the user's title."""
    which = f"v{version.number}" if version else "draft"
    return f"{slug}-plan-{plan.id}-{which}.pdf"
