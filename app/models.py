"""Every domain's models, imported in one place for Alembic and ``flask shell``."""

from app.audit.models import AuditChainHead, AuditEvent
from app.auth.models import FormDraft, LoginAttempt, Membership, Organization, Role, User, UserSession
from app.plans.models import Plan, PlanSection, PlanStatus, SectionRevision

__all__ = [
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
