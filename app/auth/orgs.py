"""Organization operations."""

from __future__ import annotations

from app.audit.services import record
from app.auth.models import Organization
from app.core.errors import DomainError
from app.extensions import db
from app.plans.templates import KEY_PATTERN


def create_organization(
    *, slug: str, name: str, parent: Organization | None = None, classification_label: str = "OFFICIAL"
) -> Organization:
    slug = slug.strip().lower()
    if not KEY_PATTERN.match(slug) or len(slug) > 60:
        raise DomainError("The slug must be lowercase letters, digits and hyphens, e.g. state-ocio.")
    if db.session.scalar(db.select(Organization.id).where(Organization.slug == slug)) is not None:
        raise DomainError(f"An organization with slug {slug!r} already exists.")
    organization = Organization(slug=slug, name=name.strip(), parent=parent, classification_label=classification_label)
    db.session.add(organization)
    db.session.flush()
    record(
        "organization.create",
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=f"Created organization {organization.name}",
        changes={"slug": slug, "name": organization.name, "parent": parent.slug if parent else None},
    )
    return organization


def set_fiscal_year_start(organization: Organization, month: int) -> None:
    """Fiscal years are named after the year they end in; this sets the month they start."""
    if not 1 <= month <= 12:
        raise DomainError("The fiscal year must start in a month from 1 (January) to 12 (December).")
    before = organization.fiscal_year_start_month
    organization.fiscal_year_start_month = month
    db.session.flush()
    record(
        "organization.update",
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=f"Fiscal year now starts in month {month}",
        changes={"fiscal_year_start_month": {"before": before, "after": month}},
    )
