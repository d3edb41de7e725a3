"""Organization settings that shape every PDF: the classification label and the cover logo.

Services flush and audit; the settings page commits.
"""

from __future__ import annotations

from app.audit.services import record
from app.auth.models import Organization, User
from app.core.errors import DomainError
from app.exports.logo import Logo
from app.exports.models import OrganizationLogo
from app.extensions import db

MAX_LABEL = 40


class SettingsError(DomainError):
    """The settings cannot be saved; the message says what to change."""


def current_logo(organization: Organization) -> OrganizationLogo | None:
    return db.session.get(OrganizationLogo, organization.id)


def save_branding(
    organization: Organization,
    *,
    user: User,
    classification_label: str,
    logo: Logo | None = None,
    filename: str = "",
    remove_logo: bool = False,
) -> list[str]:
    """Apply the settings; returns what changed (empty: nothing). ``logo`` must come from ``check_logo``."""
    label = " ".join(classification_label.split()).upper()
    if not label or len(label) > MAX_LABEL:
        raise SettingsError(f"Enter a classification label of 1 to {MAX_LABEL} characters, for example OFFICIAL.")
    changed: dict[str, object] = {}
    if label != organization.classification_label:
        changed["classification_label"] = {"before": organization.classification_label, "after": label}
        organization.classification_label = label
    existing = current_logo(organization)
    if logo is not None:
        if existing is None:
            existing = OrganizationLogo(organization_id=organization.id)
            db.session.add(existing)
        if existing.sha256 != logo.sha256:
            existing.content, existing.content_type, existing.sha256 = logo.content, logo.content_type, logo.sha256
            existing.filename, existing.uploaded_by_id = filename[:200], user.id
            changed["logo"] = {"after": f"{logo.content_type}, {len(logo.content):,} bytes, sha256 {logo.sha256}"}
    elif remove_logo and existing is not None:
        db.session.delete(existing)
        changed["logo"] = {"before": existing.sha256, "after": None}
    if not changed:
        return []
    db.session.flush()
    record(
        "organization.branding_changed",
        actor_id=user.id,
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=f"Changed the PDF settings of {organization.name}: {', '.join(changed)}",
        changes=changed,
    )
    return list(changed)
