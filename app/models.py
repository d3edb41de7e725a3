"""Every domain's models, imported in one place for Alembic and ``flask shell``."""

from app.audit.models import AuditChainHead, AuditEvent
from app.auth.models import FormDraft, LoginAttempt, Membership, Organization, Role, User, UserSession
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.plans.models import Plan, PlanSection, PlanStatus, SectionRevision
from app.portfolio.models import (
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    Milestone,
    ObjectiveLink,
    PlanInitiative,
    PlanObjective,
    Risk,
)

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "FormDraft",
    "Initiative",
    "InitiativeCost",
    "InitiativeDependency",
    "Kpi",
    "KpiMeasurement",
    "LoginAttempt",
    "Membership",
    "Milestone",
    "ObjectiveLink",
    "Organization",
    "Plan",
    "PlanInitiative",
    "PlanObjective",
    "PlanSection",
    "PlanStatus",
    "PolicyObjective",
    "Risk",
    "Role",
    "SectionRevision",
    "User",
    "UserSession",
]
