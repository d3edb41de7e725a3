"""The workforce objects of every tenant of tests/core/world/, and plausible bodies for the workforce forms."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from app.auth.models import Organization, User
from app.portfolio.models import Initiative
from app.workforce import needs, services
from app.workforce.models import InitiativeFteNeed, JobRole, RoleCapacity, Skill, SkillGap, WorkforceAction

# Route parameters of the workforce pages and the model each names.
WORKFORCE_ID_MODELS: dict[str, type] = {
    "role_id": JobRole,
    "capacity_id": RoleCapacity,
    "gap_id": SkillGap,
    "skill_id": Skill,
    "action_id": WorkforceAction,
    "need_id": InitiativeFteNeed,
}
WORKFORCE_VERSIONED = {
    "workforce.edit_role": (JobRole, "role_id"),
    "workforce.edit_skill": (Skill, "skill_id"),
    "workforce.edit_action": (WorkforceAction, "action_id"),
}


def build_workforce(org: Organization, editor: User, canary: str, initiative: Initiative) -> dict[str, Any]:
    """A role with FY2027 figures and a gap in a skill, an action closing it, a spare skill and an FTE need of
    ``initiative``; every text field carries ``canary``. Keys are route parameters (plus ``spare_skill``)."""
    role = services.create_role(
        organization=org,
        user=editor,
        fields=services.RoleFields(f"Cloud engineer {canary}", f"Infrastructure {canary}", f"Runs clouds {canary}"),
    )
    capacity = services.add_capacity(
        role,
        user=editor,
        fields=services.CapacityFields(2027, Decimal("10"), Decimal("2"), Decimal("1"), Decimal("6")),
    )
    skill = services.create_skill(
        organization=org, user=editor, fields=services.SkillFields(f"Kubernetes {canary}", f"Cloud {canary}", canary)
    )
    spare = services.create_skill(
        organization=org, user=editor, fields=services.SkillFields(f"Terraform {canary}", f"Cloud {canary}", canary)
    )
    gap = services.add_gap(role, user=editor, skill=skill, fields=services.GapFields(1, 3, "high"))
    action = services.create_action(
        organization=org,
        user=editor,
        fields=services.ActionFields(
            action_type="training",
            title=f"Certification cohort {canary}",
            description=f"Twelve engineers certified {canary}",
            cost=Decimal("45000.00"),
            fiscal_year=2027,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 6, 30),
            owner=f"Workforce lead {canary}",
            role_id=role.id,
            gap_ids=(gap.id,),
        ),
    )
    need = needs.add_need(initiative, user=editor, role=role, fiscal_year=2027, fte=Decimal("12"))
    return {
        "role_id": role,
        "capacity_id": capacity,
        "gap_id": gap,
        "skill_id": skill,
        "action_id": action,
        "need_id": need,
        "spare_skill": spare,
    }


def workforce_bodies(objects: dict[str, Any], version: str) -> dict[str, Any]:
    """A body for each workforce POST endpoint that the tenant's administrator may send and that changes data."""
    role_id = str(objects["role_id"].id) if objects else ""
    skill_id = str(objects["skill_id"].id) if objects else ""
    spare_id = str(objects["spare_skill"].id) if objects else ""
    csv = "Role,Family,Fiscal year,Filled FTE\r\nImported role,Imported family,2028,4\r\n"
    return {
        "workforce.new_role": {"name": "Injected role", "family": "Injected family"},
        "workforce.edit_role": {"name": "Overwritten role", "family": "Overwritten", "version": version},
        "workforce.delete_role": {},
        "workforce.add_capacity": {"capacity-fiscal_year": "2031", "capacity-current_fte": "5"},
        "workforce.edit_capacity": {"capacity-fiscal_year": "2027", "capacity-current_fte": "9"},
        "workforce.remove_capacity": {},
        "workforce.add_gap": {
            "gap-skill": spare_id,
            "gap-current_level": "1",
            "gap-target_level": "3",
            "gap-priority": "high",
        },
        "workforce.edit_gap": {
            "gap-skill": skill_id,
            "gap-current_level": "0",
            "gap-target_level": "4",
            "gap-priority": "low",
        },
        "workforce.remove_gap": {},
        "workforce.list_skills": {"name": "Injected skill", "category": "Injected"},
        "workforce.edit_skill": {"name": "Overwritten skill", "version": version},
        "workforce.delete_skill": {},
        "workforce.new_action": {
            "action_type": "hiring",
            "title": "Injected action",
            "role_id": role_id,
            "cost": "1000",
            "status": "planned",
        },
        "workforce.edit_action": {
            "action_type": "contracting",
            "title": "Overwritten action",
            "role_id": role_id,
            "status": "in_progress",
            "version": version,
        },
        "workforce.delete_action": {},
        "workforce.initiative_needs": {"need-role": role_id, "need-fiscal_year": "2029", "need-fte": "2"},
        "workforce.edit_need": {"need-role": role_id, "need-fiscal_year": "2028", "need-fte": "3.5"},
        "workforce.remove_need": {},
        "workforce.import_roles": {"file": (io.BytesIO(csv.encode()), "roles.csv")},
    }
