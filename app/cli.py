"""Command-line groups: ``flask users``, ``flask orgs``, ``flask seed`` and ``flask audit``.

Commands call services and commit; they print what they did and exit non-zero on refusal.
"""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.auth.models import Organization, Role, User
from app.core.errors import DomainError
from app.extensions import db

users = click.Group("users", help="Create user accounts; the operator's account-wide actions.")
orgs = click.Group("orgs", help="Create organizations; claim e-mail domains for their single sign-on.")
seed = click.Group("seed", help="Load demonstration data.")
audit = click.Group("audit", help="Check the audit trail.")
exports = click.Group("exports", help="Make PDF exports and run export workers.")


def _organization(slug: str) -> Organization:
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise click.ClickException(f"No organization with slug {slug!r}. Create it with: flask orgs create {slug} NAME")
    return organization


@orgs.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--parent", "parent_slug", help="Slug of the parent organization (e.g. the statewide CIO office).")
def create_org(slug: str, name: str, parent_slug: str | None) -> None:
    """Create an organization SLUG called NAME."""
    from app.auth.orgs import create_organization

    parent = _organization(parent_slug) if parent_slug else None
    try:
        organization = create_organization(slug=slug, name=name, parent=parent)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created organization {organization.slug} ({organization.name}).")


@orgs.command("configure")
@click.argument("slug")
@click.option(
    "--fiscal-year-start",
    "start_month",
    type=click.IntRange(1, 12),
    required=True,
    help="Month the fiscal year starts in (1-12; 7 = July, the default; 10 = October, as the US federal year).",
)
def configure_org(slug: str, start_month: int) -> None:
    """Set an organization's fiscal-year start month."""
    from app.auth.orgs import set_fiscal_year_start

    organization = _organization(slug)
    set_fiscal_year_start(organization, start_month)
    db.session.commit()
    click.echo(f"{organization.name}: fiscal years now start in month {start_month}.")


@users.command("create")
@click.argument("email")
@click.option("--org", "org_slug", required=True, help="Slug of the organization the user joins.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Full name (defaults to the part of the email before @).")
@click.password_option(help="The password; prompted for (twice, hidden) when not given.")
def create_user_command(email: str, org_slug: str, role: str, name: str, password: str) -> None:
    """Create a user EMAIL with ROLE in an organization."""
    from app.auth.services import create_user

    organization = _organization(org_slug)
    try:
        user = create_user(
            email=email, name=name or email.split("@")[0], password=password, organization=organization, role=Role(role)
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} as {role} in {organization.slug}.")


def _user(email: str) -> User:
    from app.auth.services import normalize_email

    user = db.session.scalar(db.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email!r}.")
    return user


@users.command("reset-mfa")
@click.argument("email")
def reset_mfa_command(email: str) -> None:
    """Remove the authenticator of the account EMAIL (all its organizations); audited, its sessions end.

    Office admins can do this only for people who belong to their office alone; check the person's identity
    out of band before running it.
    """
    from app.auth.members import operator_reset_mfa

    user = _user(email)
    if not operator_reset_mfa(user):
        raise click.ClickException(f"{user.email} has no authenticator set up: nothing to reset.")
    db.session.commit()
    click.echo(f"Removed the authenticator of {user.email} and ended their sessions.")


@users.command("deactivate")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Switch the account EMAIL off in every organization (office admins deactivate one membership only)."""
    from app.auth.members import operator_set_account_active

    user = _user(email)
    changed = operator_set_account_active(user, False)
    db.session.commit()
    click.echo(f"Deactivated the account {user.email}." if changed else f"{user.email} was already deactivated.")


@users.command("activate")
@click.argument("email")
def activate_user_command(email: str) -> None:
    """Switch the account EMAIL back on (its memberships keep their own active state)."""
    from app.auth.members import operator_set_account_active

    user = _user(email)
    changed = operator_set_account_active(user, True)
    db.session.commit()
    click.echo(f"Reactivated the account {user.email}." if changed else f"{user.email} was already active.")


@seed.command("demo")
def seed_demo() -> None:
    """Load the demo organizations, users and plan (safe to run again)."""
    if not current_app.config["SEED_DEMO_ALLOWED"]:
        raise click.ClickException("Demo data is refused in production: it creates accounts with published passwords.")
    from app.demo.seed import all_demo_logins, load_demo

    # The demo adopts a plan version, which renders its PDFs; this command exits right after, so render them
    # here rather than in worker processes that would die with it (the PDFs are then ready on first sign-in).
    current_app.config["EXPORT_SYNC"] = True
    created = load_demo(current_app.config["PLAN_TEMPLATE_DIR"])
    db.session.commit()
    if not created:
        click.echo(f"Demo data is already loaded; nothing changed. Sign in at {current_app.config['PUBLIC_BASE_URL']}")
        return
    click.echo(f"Loaded the demo data. Sign in at {current_app.config['PUBLIC_BASE_URL']} with:")
    for role, email, password, _who in all_demo_logins():
        click.echo(f"  {role:<9} {email:<40} {password}")


@seed.command("scale")
@click.option("--orgs", default=5, show_default=True, help="How many organizations to create.")
@click.option("--initiatives", default=2000, show_default=True, help="Initiatives per organization.")
@click.option(
    "--long-plan-sections",
    default=150,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="Extra sections of the first organization's long plan (150: a PDF of about 300 pages; 0: no long plan).",
)
def seed_scale(orgs: int, initiatives: int, long_plan_sections: int) -> None:
    """Generate a synthetic data set for benchmarks (refused in production)."""
    if not current_app.config["SEED_DEMO_ALLOWED"]:
        raise click.ClickException("Synthetic data is refused in production.")
    from app.demo.scale import SCALE_PASSWORD, load_scale

    created = load_scale(orgs=orgs, initiatives=initiatives, long_plan_sections=long_plan_sections)
    db.session.commit()
    click.echo(
        f"Created {len(created)} organizations with {initiatives} initiatives each "
        f"(sign in as editor@<slug>.example, admin@<slug>.example or board member "
        f"member01@<slug>.example, password {SCALE_PASSWORD})."
    )


@audit.command("verify")
def verify_audit() -> None:
    """Recompute every audit hash chain; exit 1 naming the first broken event of each chain."""
    from app.audit.services import verify_all_chains

    checked, problems = verify_all_chains()
    for problem in problems:
        click.echo(f"BROKEN {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {checked} chain{'s' if checked != 1 else ''} verified.")


@exports.command("pdf")
@click.argument("plan_id", type=int)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="Where to write the PDF."
)
@click.option("--version", "number", type=int, help="A frozen version number (default: the current draft).")
@click.option(
    "--archive", is_flag=True, help="The archival PDF/A-3a copy with the plan's data attached (adopted versions)."
)
def export_pdf(plan_id: int, out: str, number: int | None, archive: bool) -> None:
    """Make the PDF of plan PLAN_ID (in a worker process, under the export time and memory limits)."""
    import shutil

    from app.exports import services
    from app.exports.models import ExportKind
    from app.exports.pdf import jobs
    from app.plans.models import Plan

    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.deleted_at is not None:
        raise click.ClickException(f"No plan with id {plan_id}.")
    kind = ExportKind.ARCHIVE if archive else ExportKind.PLAN_PDF
    try:
        version = services.find_version(plan, number)
        requested = services.request_plan_pdf(plan, user=None, version=version, kind=kind, start=False)  # below
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if requested.job is not None:
        jobs.submit_to_pool(requested.job, workers=1).result()
        jobs.shutdown_pool()
    export = requested.export
    services.refresh(export)
    db.session.commit()
    path = services.file_path(export)
    if path is None:
        raise click.ClickException(f"The PDF could not be made: {export.error or export.status}")
    shutil.copyfile(path, out)
    click.echo(f"Wrote {out}: {export.pages} pages, {export.size_bytes:,} bytes, sha256 {export.sha256}.")


@exports.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def export_worker(burst: bool) -> None:
    """Run an RQ worker for PDF exports (needs REDIS_URL; EXPORT_DIR must be shared with the web servers)."""
    from app.exports.pdf.jobs import run_rq_worker

    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("REDIS_URL is not set: without it the web process renders in its own worker pool.")
    run_rq_worker(url, burst=burst)


def register_cli(app: Flask) -> None:
    from app.auth.cli_orgs import add_domain_commands
    from app.backup.cli import backup
    from app.notifications.cli import mail
    from app.stratml.cli import register as register_stratml

    add_domain_commands(orgs)
    for group in (users, orgs, seed, audit, exports, backup, mail):
        app.cli.add_command(group)
    register_stratml(app)
