"""An initiative's business case: its fields and saving it (the problem statement is the initiative's own)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.audit.services import diff_fields
from app.auth.models import User
from app.extensions import db
from app.governance.models import BusinessCase
from app.governance.services.reviews.common import _ensure_can_edit, _record_on_initiative
from app.portfolio.models import Initiative

CASE_FIELDS = ("options_considered", "recommended_option", "benefits", "alignment_rationale")
CASE_LABELS = {
    "problem": "Problem statement",
    "options_considered": "Options considered",
    "recommended_option": "Recommended option",
    "benefits": "Benefits",
    "alignment_rationale": "Alignment rationale",
}


@dataclass(frozen=True)
class CaseFields:
    problem: str = ""
    options_considered: str = ""
    recommended_option: str = ""
    benefits: str = ""
    alignment_rationale: str = ""


def case_of(initiative: Initiative) -> BusinessCase | None:
    return db.session.scalar(db.select(BusinessCase).where(BusinessCase.initiative_id == initiative.id))


def save_business_case(initiative: Initiative, *, user: User, fields: CaseFields) -> bool:
    """Save the case (the problem is the initiative's own); False when nothing changed."""
    _ensure_can_edit(initiative, user)
    case = case_of(initiative)
    if case is None:
        case = BusinessCase(initiative_id=initiative.id)
        db.session.add(case)
    before = {"problem": initiative.problem, **{name: getattr(case, name) or "" for name in CASE_FIELDS}}
    initiative.problem = fields.problem
    for name in CASE_FIELDS:
        setattr(case, name, getattr(fields, name))
    changes = diff_fields(before, asdict(fields))
    if not changes:
        return False
    case.updated_by_id = user.id
    db.session.flush()
    _record_on_initiative(
        initiative, user, "initiative.business_case.update", f"Changed the business case of {initiative.code}", changes
    )
    return True
