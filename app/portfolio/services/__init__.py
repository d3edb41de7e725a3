"""Initiative portfolio operations. Each checks its rules, flushes, writes one audit event and never commits.

Every event is recorded on the initiative (object type ``initiative``), so one query gives an
initiative's whole history, its milestones, risks, costs, dependencies and objectives included.

Patch a function where it is called: in ``initiatives``, ``parts`` or ``links``, not here.
"""

from app.portfolio.services.common import FieldError
from app.portfolio.services.initiatives import (
    DELETABLE,
    FIELD_NAMES,
    EditConflict,
    InitiativeFields,
    change_status,
    create_initiative,
    delete_initiative,
    update_initiative,
)
from app.portfolio.services.links import (
    add_dependency,
    can_serve,
    dependency_path,
    link_objective,
    remove_dependency,
    unlink_objective,
)
from app.portfolio.services.parts import (
    HIGH_RISK_SCORE,
    PART_FIELDS,
    RiskFields,
    add_cost,
    add_milestone,
    add_risk,
    remove_cost,
    remove_milestone,
    remove_risk,
    update_cost,
    update_milestone,
    update_risk,
)

__all__ = [
    "DELETABLE",
    "FIELD_NAMES",
    "HIGH_RISK_SCORE",
    "PART_FIELDS",
    "EditConflict",
    "FieldError",
    "InitiativeFields",
    "RiskFields",
    "add_cost",
    "add_dependency",
    "add_milestone",
    "add_risk",
    "can_serve",
    "change_status",
    "create_initiative",
    "delete_initiative",
    "dependency_path",
    "link_objective",
    "remove_cost",
    "remove_dependency",
    "remove_milestone",
    "remove_risk",
    "unlink_objective",
    "update_cost",
    "update_initiative",
    "update_milestone",
    "update_risk",
]
