"""The instance operator's single sign-on trust decisions: ``flask orgs claim-domain``, ``release-domain``,
``domains`` and ``trust-mfa`` (added to the ``flask orgs`` group by app/cli.py).

These are deliberately not in the web interface: an office admin is trusted with their own office only, and
whoever claims an e-mail domain can sign in as anyone in it.
"""

from __future__ import annotations

import click

from app.auth import sso
from app.auth.models import Organization
from app.core.errors import DomainError
from app.extensions import db


def _organization(slug: str) -> Organization:
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise click.ClickException(f"No organization with slug {slug!r}. See them with: flask orgs domains")
    return organization


@click.command("claim-domain")
@click.argument("slug")
@click.argument("domain")
def claim_domain(slug: str, domain: str) -> None:
    """Let organization SLUG's single sign-on accept e-mail addresses at DOMAIN (exactly; no sub-domains).

    A domain belongs to one organization only. Claim it only for the office that runs the identity provider
    of that domain's people."""
    organization = _organization(slug)
    try:
        claim = sso.claim_domain(organization, domain)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{claim.domain} is claimed by {organization.slug}: its single sign-on may sign in people there.")


@click.command("release-domain")
@click.argument("slug")
@click.argument("domain")
def release_domain(slug: str, domain: str) -> None:
    """Stop organization SLUG's single sign-on from accepting DOMAIN."""
    organization = _organization(slug)
    try:
        sso.release_domain(organization, domain)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{domain.strip().lower()} is no longer claimed by {organization.slug}.")


@click.command("domains")
def list_domains() -> None:
    """List every claimed e-mail domain and the organization that holds it."""
    claims = sso.all_claims()
    if not claims:
        click.echo("No e-mail domain is claimed: no organization's single sign-on can sign anyone in.")
    for domain, slug in claims:
        click.echo(f"{domain}\t{slug}")


@click.command("trust-mfa")
@click.argument("slug")
@click.argument("setting", type=click.Choice(["on", "off"]))
def trust_mfa(slug: str, setting: str) -> None:
    """Whether a sign-in through SLUG's identity provider stands in for the account's own second factor.

    Switch it on only when that provider itself requires a strong second factor for everyone it signs in."""
    organization = _organization(slug)
    sso.set_mfa_trusted(organization, setting == "on")
    db.session.commit()
    if setting == "on":
        click.echo(f"{organization.slug}'s identity provider is trusted for the second factor.")
    else:
        click.echo(f"People of {organization.slug} with an authenticator enter its code after single sign-on.")


def add_domain_commands(group: click.Group) -> None:
    for command in (claim_domain, release_domain, list_domains, trust_mfa):
        group.add_command(command)
