"""Fixtures for the workforce tests: an office with an editor, a viewer and a small workforce plan."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.auth.models import Organization, Role, User
from app.extensions import db
from app.portfolio.models import Initiative
from app.workforce import needs, services
from app.workforce.models import JobRole, Skill, SkillGap
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative


@dataclass
class Office:
    org: Organization
    editor: User
    viewer: User
    role: JobRole
    skill: Skill
    gap: SkillGap
    initiative: Initiative


def make_office(*, name: str = "Office of the State CIO", roles: int = 1, initiatives: int = 1) -> Office:
    """A role (“Cybersecurity analyst”, FY2028: 20 filled, 2 leaving, 15 baseline) short of people because
    its initiatives need more than the 3 FTE spare; more roles and initiatives on request (for statement counts)."""
    org = create_org(name=name)
    editor = create_user(org=org, role=Role.EDITOR, name="Erin Editor")
    viewer = create_user(org=org, role=Role.VIEWER, name="Vic Viewer")
    created = []
    for n in range(roles):
        role = services.create_role(
            organization=org,
            user=editor,
            fields=services.RoleFields("Cybersecurity analyst" if n == 0 else f"Role {n}", "Security", "Watches"),
        )
        services.add_capacity(
            role,
            user=editor,
            fields=services.CapacityFields(2028, Decimal("20"), Decimal("3"), Decimal("2"), Decimal("15")),
        )
        created.append(role)
    skill = services.create_skill(organization=org, user=editor, fields=services.SkillFields("Zero trust", "Security"))
    gap = services.add_gap(created[0], user=editor, skill=skill, fields=services.GapFields(1, 3, "high"))
    made = [
        create_initiative(org=org, user=editor, code=f"INI-{n + 1:04d}", title=f"Zero Trust phase {n + 1}")
        for n in range(initiatives)
    ]
    for initiative in made:
        for role in created:
            needs.add_need(initiative, user=editor, role=role, fiscal_year=2028, fte=Decimal("4"))
    db.session.commit()
    return Office(org, editor, viewer, created[0], skill, gap, made[0])


@pytest.fixture
def office() -> Office:
    return make_office()
