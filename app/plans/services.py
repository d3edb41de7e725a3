"""Plan and section operations. Each flushes, writes its audit event and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import diff_fields, record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.plans.models import Plan, PlanSection, PlanStatus, SectionRevision, count_words
from app.plans.templates import KEY_PATTERN, PlanTemplate

MAX_SECTION_CHARS = 200_000


@dataclass
class EditConflict(DomainError):
    """Someone saved the section after the editor opened it; the caller shows both texts."""

    section: PlanSection
    your_title: str
    your_body: str

    def __str__(self) -> str:
        return "Someone else saved this section while you were editing it."


def _ensure_editable(plan: Plan, user: User) -> None:
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change this plan.")
    if not plan.is_editable:
        raise DomainError(f"This plan is {plan.status_enum.label.lower()}; only draft plans can be changed.")


def _record_section(action: str, section: PlanSection, *, user: User, summary: str, changes: dict[str, Any]) -> None:
    """Every section change is recorded against the organization that owns the plan."""
    record(
        action,
        actor_id=user.id,
        organization_id=section.plan.organization_id,
        object_type="plan_section",
        object_id=section.id,
        summary=summary,
        changes=changes,
    )


def start_new_draft(plan: Plan, *, user: User) -> None:
    """A change to a plan whose latest version is with a board starts the draft of its next version:
    the plan goes back to draft while the submitted version stays frozen and under review."""
    if plan.status != PlanStatus.IN_REVIEW:
        return
    # Every editor's first save after a submission makes this same change, often at the same moment: a plain
    # versioned UPDATE of the plan row would make all but one of them fail (StaleDataError, a 500 before). So the
    # step is one conditional UPDATE: the first save moves the plan to draft (and raises its version, so a board
    # decision taken on the submitted version still notices), the others find it done and go on.
    moved = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.status == PlanStatus.IN_REVIEW.value)
        .values(status=PlanStatus.DRAFT.value, version=Plan.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(plan, ["status", "version"])
    if not moved.rowcount:  # type: ignore[attr-defined]  # another save, or a board decision, came first
        _ensure_editable(plan, user)
        return
    record(
        "plan.new_draft",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=f"Started the next draft of “{plan.title}” (the submitted version stays under review)",
        changes={"status": {"before": PlanStatus.IN_REVIEW.value, "after": PlanStatus.DRAFT.value}},
    )


def create_plan(
    *,
    organization: Organization,
    owner: User,
    title: str,
    first_fiscal_year: int,
    last_fiscal_year: int,
    template: PlanTemplate,
) -> Plan:
    """A new draft plan with the template's sections, each starting from its starter text."""
    if last_fiscal_year < first_fiscal_year:
        raise DomainError("The last fiscal year must be the same as or after the first.")
    plan = Plan(
        organization=organization,
        owner=owner,
        title=title.strip(),
        first_fiscal_year=first_fiscal_year,
        last_fiscal_year=last_fiscal_year,
        status=PlanStatus.DRAFT.value,
        template_key=template.key,
    )
    for position, section in enumerate(template.sections, start=1):
        new = PlanSection(
            key=section.key,
            title=section.title,
            guidance=section.guidance,
            body=section.starter,
            position=position,
            word_count=count_words(section.starter),
        )
        if section.starter:
            new.revisions.append(
                SectionRevision(
                    number=1,
                    title=section.title,
                    body=section.starter,
                    author=owner,
                    note="Starter text from the template",
                )
            )
        plan.sections.append(new)
    db.session.add(plan)
    db.session.flush()
    record(
        "plan.create",
        actor_id=owner.id,
        organization_id=organization.id,
        object_type="plan",
        object_id=plan.id,
        summary=f"Created plan “{plan.title}” from template {template.key}",
        changes={"title": plan.title, "period": plan.period_label, "template": template.key},
    )
    return plan


def save_section(
    section: PlanSection, *, user: User, title: str, body: str, base_version: int, ready: bool, note: str = ""
) -> SectionRevision | None:
    """Save new text as a revision. Raises EditConflict when ``base_version`` is not current."""
    _ensure_editable(section.plan, user)
    if len(body) > MAX_SECTION_CHARS:
        raise DomainError(f"A section can hold at most {MAX_SECTION_CHARS:,} characters. Split it into two sections.")
    if base_version != section.version:
        raise EditConflict(section=section, your_title=title, your_body=body)
    before = {"title": section.title, "ready": section.ready, "words": section.word_count}
    if section.title == title and section.body == body and section.ready == ready:
        return None
    start_new_draft(section.plan, user=user)
    revision = None
    if section.title != title or section.body != body:
        revision = _add_revision(section, user=user, title=title, body=body, note=note)
    section.version += 1  # any change (text, title or the ready tick), so a form opened before it is stale
    section.title, section.body, section.ready = title, body, ready
    section.word_count = count_words(body)
    section.updated_at, section.updated_by_id = utcnow(), user.id
    try:
        db.session.flush()
    except StaleDataError as exc:  # a concurrent save won the race between our check and write
        db.session.rollback()
        raise EditConflict(
            section=db.session.get(PlanSection, section.id) or section, your_title=title, your_body=body
        ) from exc
    after = {"title": section.title, "ready": section.ready, "words": section.word_count}
    _record_section(
        "section.update",
        section,
        user=user,
        summary=f"Saved “{section.title}” in “{section.plan.title}”",
        changes={**diff_fields(before, after), "revision": revision.number if revision else None},
    )
    return revision


def _add_revision(section: PlanSection, *, user: User, title: str, body: str, note: str) -> SectionRevision:
    last = (
        db.session.scalar(db.select(func.max(SectionRevision.number)).where(SectionRevision.section_id == section.id))
        or 0
    )
    revision = SectionRevision(section=section, number=last + 1, title=title, body=body, author_id=user.id, note=note)
    db.session.add(revision)
    return revision


def restore_revision(revision: SectionRevision, *, user: User, base_version: int) -> SectionRevision | None:
    """Bring back an old text as a new revision; history is never rewritten."""
    section = revision.section
    return save_section(
        section,
        user=user,
        title=revision.title,
        body=revision.body,
        base_version=base_version,
        ready=section.ready,
        note=f"Restored from revision {revision.number}",
    )


def add_section(plan: Plan, *, user: User, title: str, guidance: str = "") -> PlanSection:
    _ensure_editable(plan, user)
    position = max((s.position for s in plan.sections), default=0) + 1
    key = _unique_key(plan, title)
    start_new_draft(plan, user=user)
    section = PlanSection(
        plan=plan, key=key, title=title.strip(), guidance=guidance.strip(), body="", position=position
    )
    db.session.add(section)
    db.session.flush()
    summary = f"Added section “{section.title}” to “{plan.title}”"
    _record_section("section.create", section, user=user, summary=summary, changes={"title": section.title})
    return section


def _unique_key(plan: Plan, title: str) -> str:
    base = "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split())[:50] or "section"
    base = base if KEY_PATTERN.match(base) else "section"
    taken = {s.key for s in plan.sections}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def move_section(section: PlanSection, *, user: User, direction: int) -> None:
    """Swap a section with its visible neighbour above (-1) or below (+1)."""
    plan = section.plan
    _ensure_editable(plan, user)
    visible = [s for s in plan.sections if not s.is_deleted]
    index = visible.index(section)
    target = index + direction
    if not 0 <= target < len(visible):
        return
    other = visible[target]
    start_new_draft(plan, user=user)
    section.position, other.position = other.position, section.position
    db.session.flush()
    _record_section(
        "section.move",
        section,
        user=user,
        summary=f"Moved “{section.title}” {'up' if direction < 0 else 'down'}",
        changes={"position": {"before": other.position, "after": section.position}},
    )


def remove_section(section: PlanSection, *, user: User) -> None:
    """Soft delete: the section leaves the plan but can be restored with its history."""
    _ensure_editable(section.plan, user)
    start_new_draft(section.plan, user=user)
    section.deleted_at, section.deleted_by_id = utcnow(), user.id
    db.session.flush()
    _record_section(
        "section.delete",
        section,
        user=user,
        summary=f"Removed section “{section.title}” (recoverable)",
        changes={"deleted": {"before": False, "after": True}},
    )


def restore_section(section: PlanSection, *, user: User) -> None:
    _ensure_editable(section.plan, user)
    start_new_draft(section.plan, user=user)
    section.deleted_at, section.deleted_by_id = None, None
    section.position = max((s.position for s in section.plan.sections if not s.is_deleted), default=0) + 1
    db.session.flush()
    _record_section(
        "section.restore",
        section,
        user=user,
        summary=f"Restored section “{section.title}”",
        changes={"deleted": {"before": True, "after": False}, "position": section.position},
    )
