"""The skills catalogue and the roles' skill gaps (current and target proficiency, priority)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.auth.models import Organization, User
from app.extensions import db
from app.workforce.common import FieldError, apply, values_of
from app.workforce.models import JobRole, Priority, Skill, SkillGap
from app.workforce.services.shared import Catalogue, _create_named, _ensure_editor, _record, _update_named


@dataclass(frozen=True)
class SkillFields:
    name: str
    category: str = ""
    description: str = ""


@dataclass(frozen=True)
class GapFields:
    current_level: int
    target_level: int
    priority: str = Priority.MEDIUM.value


SKILL_FIELDS = tuple(SkillFields.__dataclass_fields__)
GAP_FIELDS = tuple(GapFields.__dataclass_fields__)


_SKILLS = Catalogue(
    model=Skill,
    noun="skill",
    event="skill",
    taken="The catalogue already has a skill called “{name}”. Choose another name, or change that skill.",
    columns=SKILL_FIELDS,
)


def create_skill(*, organization: Organization, user: User, fields: SkillFields) -> Skill:
    """A new skill in the organization's catalogue."""
    return _create_named(_SKILLS, organization=organization, user=user, values=asdict(fields))


def update_skill(skill: Skill, *, user: User, fields: SkillFields, base_version: int) -> bool:
    """Save the edited skill; False when nothing changed. EditConflict when the form is stale."""
    return _update_named(_SKILLS, skill, user=user, values=asdict(fields), base_version=base_version)


def delete_skill(skill: Skill, *, user: User) -> None:
    """Remove the skill from the catalogue, with every role's gap in it (the event lists them)."""
    _ensure_editor(skill.organization_id, user)
    gaps = db.session.execute(
        db.select(JobRole.name).join(SkillGap, SkillGap.role_id == JobRole.id).where(SkillGap.skill_id == skill.id)
    ).scalars()
    changes = {**values_of(skill, SKILL_FIELDS), "gaps_removed_from_roles": sorted(gaps)}
    db.session.delete(skill)
    db.session.flush()
    _record(skill, user, "skill.delete", f"Deleted the skill “{skill.name}”", changes)


def _check_gap(role: JobRole, skill: Skill, fields: GapFields, current_id: int | None) -> None:
    if skill.organization_id != role.organization_id:
        raise FieldError("skill", "Choose a skill from your organization’s catalogue.")
    for name in ("current_level", "target_level"):
        if not 0 <= getattr(fields, name) <= 4:
            raise FieldError(name, "Choose a level from 0 (none) to 4 (expert).")
    if fields.target_level <= fields.current_level:
        raise FieldError(
            "target_level",
            "The target level must be above the current level. If the role already has the skill, "
            "there is no gap: remove it instead.",
        )
    if fields.priority not in {p.value for p in Priority}:
        raise FieldError("priority", "Choose high, medium or low priority.")
    clash = db.session.scalar(
        db.select(SkillGap.id).where(
            SkillGap.role_id == role.id, SkillGap.skill_id == skill.id, SkillGap.id != current_id
        )
    )
    if clash is not None:
        raise FieldError("skill", f"{role.name} already has a gap in {skill.name}. Change that gap instead.")


def _gap_values(gap: SkillGap) -> dict[str, Any]:
    return {"gap_id": gap.id, "skill": gap.skill.name, **values_of(gap, GAP_FIELDS)}


def add_gap(role: JobRole, *, user: User, skill: Skill, fields: GapFields) -> SkillGap:
    """The role is short of ``skill``: its current proficiency (0–4) is below the target."""
    _ensure_editor(role.organization_id, user)
    _check_gap(role, skill, fields, None)
    gap = SkillGap(role=role, skill=skill, **asdict(fields))
    db.session.add(gap)
    db.session.flush()
    _record(role, user, "job_role.gap.create", f"Added a {skill.name} gap to {role.name}", _gap_values(gap))
    return gap


def update_gap(gap: SkillGap, *, user: User, skill: Skill, fields: GapFields) -> bool:
    """Change a gap's skill, levels or priority; False when nothing changed."""
    role = gap.role
    _ensure_editor(role.organization_id, user)
    _check_gap(role, skill, fields, gap.id)
    before_skill = gap.skill.name
    changes = apply(gap, asdict(fields))
    if gap.skill_id != skill.id:
        gap.skill = skill
        changes["skill"] = {"before": before_skill, "after": skill.name}
    if not changes:
        return False
    db.session.flush()
    _record(role, user, "job_role.gap.update", f"Changed the {skill.name} gap of {role.name}", changes)
    return True


def remove_gap(gap: SkillGap, *, user: User) -> None:
    role = gap.role
    _ensure_editor(role.organization_id, user)
    changes = _gap_values(gap)
    db.session.delete(gap)
    db.session.flush()
    _record(role, user, "job_role.gap.delete", f"Removed the {gap.skill.name} gap from {role.name}", changes)
