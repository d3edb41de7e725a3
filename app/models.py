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
    "Initiative",
    "InitiativeCost",
    "InitiativeDependency",
    "Kpi",
    "KpiMeasurement",
    "Milestone",
    "ObjectiveLink",
    "PlanInitiative",
    "PlanObjective",
    "PolicyObjective",
    "Risk",
    "AuditChainHead",
    "AuditEvent",
    "FormDraft",
    "LoginAttempt",
    "Membership",
    "Organization",
    "Plan",
    "PlanSection",
    "PlanStatus",
    "Role",
    "SectionRevision",
    "User",
    "UserSession",
]
