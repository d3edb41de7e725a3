"""Read queries for plan pages: each returns a Select so views can paginate it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.extensions import db
from app.plans.models import Plan, PlanSection, SectionRevision


def plans_in(organization_id: int) -> Select[Plan]:
    return (
        db.select(Plan)
        .where(Plan.organization_id == organization_id, Plan.deleted_at.is_(None))
        .options(joinedload(Plan.owner))
        .order_by(Plan.updated_at.desc())
    )


@dataclass(frozen=True)
class PlanProgress:
    ready: int
    total: int
    last_edited_at: datetime | None


def plan_progress(plan_ids: list[int]) -> dict[int, PlanProgress]:
    """For each plan: sections marked ready, sections in all, and the last section save — one statement."""
    if not plan_ids:
        return {}
    rows = db.session.execute(
        db.select(
            PlanSection.plan_id,
            func.count(),
            func.sum(db.case((PlanSection.ready, 1), else_=0)),
            func.max(PlanSection.updated_at),
        )
        .where(PlanSection.plan_id.in_(plan_ids), PlanSection.deleted_at.is_(None))
        .group_by(PlanSection.plan_id)
    ).all()
    return {plan_id: PlanProgress(int(ready or 0), int(total), last) for plan_id, total, ready, last in rows}


def plan_with_sections(plan_id: int) -> Select[Plan]:
    return (
        db.select(Plan)
        .where(Plan.id == plan_id)
        .options(
            joinedload(Plan.owner),
            joinedload(Plan.organization),
            selectinload(Plan.sections).joinedload(PlanSection.updated_by),
        )
    )


def section_revisions(section_id: int) -> Select[SectionRevision]:
    return (
        db.select(SectionRevision)
        .where(SectionRevision.section_id == section_id)
        .options(joinedload(SectionRevision.author).load_only(User.name))
        .order_by(SectionRevision.number.desc())
    )
