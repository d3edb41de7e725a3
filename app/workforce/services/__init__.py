"""Workforce plan operations. Each checks its rules, flushes, writes one audit event and never commits.

Roles, their capacity rows and their skill gaps are recorded on the role (object type ``job_role``), skills
on the skill and actions on the action; an initiative's FTE needs on the initiative (see ``needs``).
"""

from app.workforce.models import ZERO  # callers use services.ZERO for empty figures
from app.workforce.services.actions import ACTION_COLUMNS, ActionFields, create_action, delete_action, update_action
from app.workforce.services.roles import (
    CAPACITY_FIELDS,
    ROLE_FIELDS,
    CapacityFields,
    RoleFields,
    add_capacity,
    create_role,
    delete_role,
    remove_capacity,
    update_capacity,
    update_role,
)
from app.workforce.services.shared import EDITORS_ONLY
from app.workforce.services.skills import (
    GAP_FIELDS,
    SKILL_FIELDS,
    GapFields,
    SkillFields,
    add_gap,
    create_skill,
    delete_skill,
    remove_gap,
    update_gap,
    update_skill,
)

__all__ = [
    "ACTION_COLUMNS",
    "CAPACITY_FIELDS",
    "EDITORS_ONLY",
    "GAP_FIELDS",
    "ROLE_FIELDS",
    "SKILL_FIELDS",
    "ZERO",
    "ActionFields",
    "CapacityFields",
    "GapFields",
    "RoleFields",
    "SkillFields",
    "add_capacity",
    "add_gap",
    "create_action",
    "create_role",
    "create_skill",
    "delete_action",
    "delete_role",
    "delete_skill",
    "remove_capacity",
    "remove_gap",
    "update_action",
    "update_capacity",
    "update_gap",
    "update_role",
    "update_skill",
]
