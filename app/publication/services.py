"""Publishing an adopted plan on the public site, and taking it off. Services flush and audit; views commit.

Public publication is an opt-in separate from the plan's internal status (draft … approved, published,
archived): the internal status says where the plan is in its own workflow, the publication says what anyone
on the internet may read. Only an administrator publishes; only an adopted version can be shown; the shown
version changes only when an administrator publishes again (after a later adoption), never by itself.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionStatus
from app.plans.models import Plan
from app.publication.models import PlanPublication

SLUG_WORDS_CHARS = 60


class NotAdopted(DomainError):
    """The plan has no adopted version, so there is nothing that may be published."""


def publication_of(plan: Plan) -> PlanPublication | None:
    return db.session.scalar(
        db.select(PlanPublication)
        .where(PlanPublication.plan_id == plan.id)
        .options(joinedload(PlanPublication.version))
    )


def adopted_version(plan: Plan) -> PlanVersion | None:
    """The plan's adopted version (at most one is adopted at a time; earlier ones become superseded)."""
    return db.session.scalar(
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id, PlanVersion.status == PlanVersionStatus.ADOPTED.value)
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def _ensure_admin(plan: Plan, user: User) -> None:
    if not user.is_admin_of(plan.organization_id):
        raise PermissionDenied("Only an administrator can put a plan on the public site or take it off.")


def slug_for(title: str, plan_id: int) -> str:
    """Words of the title in plain lowercase ASCII, then the plan's id (unique, and stable once made)."""
    letters = "".join(ch for ch in unicodedata.normalize("NFKD", title) if not unicodedata.combining(ch))
    words = re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-")[:SLUG_WORDS_CHARS].strip("-")
    return f"{words}-{plan_id}" if words else f"plan-{plan_id}"


def publish(plan: Plan, *, user: User) -> PlanPublication:
    """Put the plan's adopted version on the public site, or show a newly adopted version instead of the
    one shown until now. Refused for non-administrators and for a plan with no adopted version."""
    _ensure_admin(plan, user)
    if plan.deleted_at is not None:
        raise DomainError("This plan was deleted; it cannot be published.")
    version = adopted_version(plan)
    if version is None:
        raise NotAdopted(
            "This plan has no adopted version yet, so there is nothing to publish. Submit it to a board that "
            "adopts plans; once the board adopts a version, publish it here."
        )
    publication = publication_of(plan)
    if publication is not None and publication.version_id == version.id:
        return publication  # a second click: already shows this version
    before = publication.version.number if publication is not None else None
    now = utcnow()
    if publication is None:
        publication = PlanPublication(
            organization_id=plan.organization_id,
            plan_id=plan.id,
            slug=slug_for(version.title, plan.id),
            published_at=now,
            published_by_id=user.id,
        )
        db.session.add(publication)
    publication.version_id, publication.updated_at, publication.published_by_id = version.id, now, user.id
    db.session.flush()
    first = before is None
    record(
        "plan.public_publish" if first else "plan.public_update",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=(
            f"Published version {version.number} of “{version.title}” on the public site"
            if first
            else f"The public site now shows version {version.number} of “{version.title}” (was {before})"
        ),
        changes={"slug": publication.slug, "version": {"before": before, "after": version.number}},
    )
    return publication


def unpublish(plan: Plan, *, user: User) -> None:
    """Take the plan off the public site at once: its pages, PDF and open data answer 404 from the commit on."""
    _ensure_admin(plan, user)
    publication = publication_of(plan)
    if publication is None:
        raise DomainError("This plan is not on the public site.")
    slug, number = publication.slug, publication.version.number
    db.session.delete(publication)
    db.session.flush()
    record(
        "plan.public_unpublish",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=f"Took “{plan.title}” off the public site",
        changes={"slug": slug, "version": {"before": number, "after": None}},
    )


def published_in(organization: Organization) -> list[PlanPublication]:
    """The organization's published plans, newest first (deleted plans never)."""
    return list(
        db.session.scalars(
            db.select(PlanPublication)
            .join(Plan, Plan.id == PlanPublication.plan_id)
            .where(PlanPublication.organization_id == organization.id, Plan.deleted_at.is_(None))
            .options(joinedload(PlanPublication.version))
            .order_by(PlanPublication.updated_at.desc(), PlanPublication.id.desc())
        )
    )


def publishing_organizations() -> list[Organization]:
    """Organizations with at least one published plan, by name."""
    return list(
        db.session.scalars(
            db.select(Organization)
            .where(
                Organization.id.in_(
                    db.select(PlanPublication.organization_id)
                    .join(Plan, Plan.id == PlanPublication.plan_id)
                    .where(Plan.deleted_at.is_(None))
                )
            )
            .order_by(Organization.name)
        )
    )
