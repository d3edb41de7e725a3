"""``flask stratml import FILE --org SLUG [--as EMAIL]``: a StratML file into a new draft plan."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.auth.models import Membership, Organization, Role, User
from app.core.errors import DomainError
from app.extensions import db
from app.stratml.service import import_file, max_bytes

stratml = click.Group("stratml", help="Import plans from StratML files.")


def _organization(slug: str) -> Organization:
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise click.ClickException(f"No organization with slug {slug!r}.")
    return organization


def _importer(organization: Organization, email: str | None) -> User:
    """The user the import is recorded under: --as, or else the organization's first administrator."""
    if email:
        user = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with e-mail {email!r}.")
        return user
    user = db.session.scalar(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization.id,
            Membership.role == Role.ADMIN.value,
            Membership.active,
            User.active,
        )
        .order_by(User.id)
    )
    if user is None:
        raise click.ClickException(f"{organization.slug} has no active administrator: name a user with --as EMAIL.")
    return user


@stratml.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_slug", required=True, help="Slug of the organization the new plan belongs to.")
@click.option("--as", "email", help="E-mail of the editor or administrator recorded as importing it.")
def import_command(file: Path, org_slug: str, email: str | None) -> None:
    """Create a new draft plan from the StratML FILE (Part 1 or Part 2)."""
    organization = _organization(org_slug)
    user = _importer(organization, email)
    with file.open("rb") as stream:
        data = stream.read(max_bytes() + 1)
    try:
        outcome = import_file(data, filename=file.name, organization=organization, user=user)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {exc} Nothing was imported.") from exc
    db.session.commit()
    read = outcome.read
    click.echo(
        f"Created draft plan {outcome.plan.id} “{outcome.plan.title}” in {organization.slug} from {read.version}."
    )
    click.echo(", ".join(f"{count} {name}" for name, count in outcome.counts.items()) + ".")
    if not read.valid:
        click.echo("The file did not validate against the StratML schema:")
        for message in read.validation_errors:
            click.echo(f"  {message}")
    for note in outcome.notes:
        click.echo(f"Note: {note}")
    if outcome.unmapped:
        click.echo(f"Not mapped ({len(outcome.unmapped)}):")
        for item in outcome.unmapped:
            click.echo(f"  {item}")


def register(app: Flask) -> None:
    app.cli.add_command(stratml)
