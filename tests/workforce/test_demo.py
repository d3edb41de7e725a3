"""The demo office's workforce plan: realistic figures that show a shortfall in the capacity view and the plan."""

from __future__ import annotations

from decimal import Decimal

from app.auth.models import Organization
from app.demo.seed import STATE_SLUG, load_demo
from app.extensions import db
from app.workforce import queries
from app.workforce.models import JobRole, Skill, SkillGap, WorkforceAction
from tests.factories import TEMPLATE_DIR


def test_the_demo_workforce_plan_is_complete_and_three_roles_are_short_of_people_in_fy2028():
    load_demo(TEMPLATE_DIR)
    state = db.session.scalar(db.select(Organization).where(Organization.slug == STATE_SLUG))
    assert state is not None
    count = lambda model: db.session.scalar(db.select(db.func.count()).select_from(model))  # noqa: E731
    assert (count(JobRole), count(Skill), count(SkillGap), count(WorkforceAction)) == (8, 12, 13, 8)
    lines = {line.name: line for line in queries.capacity_lines(state.id, 2028, queries.organization_scope(state.id))}
    assert {name for name, line in lines.items() if line.shortfall} == {
        "Business analyst",
        "Cybersecurity analyst",
        "Data engineer",
    }
    assert lines["Cybersecurity analyst"].shortfall == Decimal("6.00")
    assert [need.code for need in lines["Data engineer"].initiatives][:1] == ["INI-0008"]
    fy2029 = {line.name: line for line in queries.capacity_lines(state.id, 2029, queries.organization_scope(state.id))}
    assert (fy2029["Accessibility specialist"].available, fy2029["Accessibility specialist"].demand) == (7, 5)
