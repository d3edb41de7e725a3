"""Which organization's single sign-on may vouch for which e-mail domain, and whose provider is trusted for MFA.

Both are decisions of the instance operator (``flask orgs claim-domain``, ``release-domain``, ``domains``,
``trust-mfa``), never of an office admin: an office admin who could claim a domain could sign in as anyone in it.
A domain is claimed by at most one organization, matched exactly (a claim on agency.example does not cover
sub.agency.example). Services flush and audit; the CLI commits.
"""

from __future__ import annotations

from sqlalchemy import select

from app.audit.services import record
from app.auth.models import MfaPolicy, Organization, OrganizationSignIn, SsoDomainClaim
from app.core.errors import DomainError
from app.extensions import db

from .settings import DOMAIN


def normalize_domain(domain: str) -> str:
    cleaned = domain.strip().lower().rstrip(".")
    if not DOMAIN.match(cleaned):
        raise DomainError(f"{domain!r} is not an e-mail domain. Give one like agency.state.example.")
    return cleaned


def claimed_domains(organization_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(SsoDomainClaim.domain)
            .where(SsoDomainClaim.organization_id == organization_id)
            .order_by(SsoDomainClaim.domain)
        )
    )


def claim_of(domain: str) -> SsoDomainClaim | None:
    return db.session.scalar(select(SsoDomainClaim).where(SsoDomainClaim.domain == domain.strip().lower()))


def all_claims() -> list[tuple[str, str]]:
    """(domain, organization slug) for every claim, by domain."""
    rows = db.session.execute(
        select(SsoDomainClaim.domain, Organization.slug)
        .join(Organization, Organization.id == SsoDomainClaim.organization_id)
        .order_by(SsoDomainClaim.domain)
    )
    return [(domain, slug) for domain, slug in rows]


def claim_domain(organization: Organization, domain: str) -> SsoDomainClaim:
    domain = normalize_domain(domain)
    existing = claim_of(domain)
    if existing is not None:
        if existing.organization_id == organization.id:
            return existing
        holder = db.session.get(Organization, existing.organization_id)
        raise DomainError(
            f"{domain} is already claimed by {holder.slug if holder else 'another organization'}. A domain belongs "
            "to one organization only; release it there first (flask orgs release-domain) if that is intended."
        )
    claim = SsoDomainClaim(domain=domain, organization_id=organization.id)
    db.session.add(claim)
    db.session.flush()
    _record(organization, f"Instance operator claimed the e-mail domain {domain} for single sign-on", domain, True)
    return claim


def release_domain(organization: Organization, domain: str) -> None:
    domain = normalize_domain(domain)
    existing = claim_of(domain)
    if existing is None or existing.organization_id != organization.id:
        raise DomainError(f"{organization.slug} has no claim on {domain}. See the claims with: flask orgs domains")
    db.session.delete(existing)
    db.session.flush()
    _record(organization, f"Instance operator released the e-mail domain {domain}", domain, False)


def set_mfa_trusted(organization: Organization, trusted: bool) -> None:
    """Whether a sign-in through this organization's provider counts as the account's second factor."""
    settings = db.session.get(OrganizationSignIn, organization.id)
    if settings is None:
        settings = OrganizationSignIn(organization_id=organization.id, mfa_policy=MfaPolicy.OFF.value)
        db.session.add(settings)
    before = bool(settings.mfa_trusted)
    settings.mfa_trusted = trusted
    db.session.flush()
    if before != trusted:
        record(
            "organization.sign_in_settings",
            organization_id=organization.id,
            object_type="organization",
            object_id=organization.id,
            summary="Instance operator "
            + ("trusts" if trusted else "no longer trusts")
            + " this organization's identity provider for the second factor",
            changes={"mfa_trusted": {"before": before, "after": trusted}},
            actor_id=None,
        )


def _record(organization: Organization, summary: str, domain: str, claimed: bool) -> None:
    record(
        "organization.sso_domain",
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=summary,
        changes={"domain": domain, "claimed": claimed},
        actor_id=None,
    )
