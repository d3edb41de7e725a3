"""Public pages of published plans (no sign-in), and the administrators' publish / unpublish control.

The blueprint "public" skips the session login check (app/core/security.py), so every page here looks its
plan up among the publications and answers 404 for anything else: drafts, unpublished or deleted plans and
unknown organizations look the same. The control lives in the nested blueprint "public.manage", which is not
exempt: signing in is required there as everywhere else.

Caching: every response keeps the app's ``Cache-Control: no-store``. A shared cache holding a public page
for even a minute would keep serving a plan after an administrator took it off the site, and unpublishing
must take effect at once; the pages are cheap to build.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.auth.models import Organization
from app.core.charts import format_number
from app.core.errors import ensure, run_service
from app.exports.pages import attachment
from app.extensions import db
from app.plans.models import Plan
from app.portfolio.money import format_money
from app.publication import opendata, services
from app.publication.blocks import render_section
from app.publication.content import PublicPlan, public_plan, published_publication
from app.publication.fields import DATASET_TITLES, DATASETS
from app.publication.models import PlanPublication
from app.publication.pdf import pdf_state

bp = Blueprint("public", __name__, url_prefix="/public")
manage = Blueprint("manage", __name__, url_prefix="/manage")


def plan_publication(plan: Plan) -> PlanPublication | None:
    """For the plan page's panel: the plan's publication, if any."""
    return services.publication_of(plan)


bp.add_app_template_global(plan_publication, "plan_publication")
bp.add_app_template_global(services.adopted_version, "plan_adopted_version")
bp.add_app_template_filter(format_money, "public_money")
bp.add_app_template_filter(format_number, "public_number")


def _content(slug: str) -> PublicPlan:
    publication = published_publication(slug)
    ensure(publication is not None)
    assert publication is not None  # noqa: S101 - ensure() answered 404 otherwise
    return public_plan(publication)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("publication/index.html", organizations=services.publishing_organizations())


@bp.get("/organizations/<org_slug>")
def organization_plans(org_slug: str):  # type: ignore[no-untyped-def]
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == org_slug))
    publications = services.published_in(organization) if organization is not None else []
    ensure(bool(publications))  # an organization with nothing published is not shown at all
    return render_template("publication/organization.html", organization=organization, publications=publications)


@bp.get("/plans/<slug>")
def show_plan(slug: str):  # type: ignore[no-untyped-def]
    content = _content(slug)
    sections = [(s, render_section(content, s.body)) for s in content.sections]
    return render_template(
        "publication/plan.html",
        content=content,
        sections=sections,
        datasets=DATASET_TITLES,
    )


@bp.get("/plans/<slug>/plan.pdf")
def plan_pdf(slug: str):  # type: ignore[no-untyped-def]
    content = _content(slug)
    state = pdf_state(content)
    if state.path is None:
        page = render_template("publication/pdf_pending.html", content=content, state=state)
        # 202: accepted, being made (not an error); 503 while a failed render waits for its retry
        return page, 202 if state.status == "preparing" else 503, {"Retry-After": "30"}
    response: Response = send_file(state.path, mimetype="application/pdf", max_age=0, conditional=False, etag=False)
    response.headers["Content-Disposition"] = attachment(opendata.filename(content, f"v{content.plan['version']}.pdf"))
    return response


@bp.get("/plans/<slug>/data.json")
def open_data_json(slug: str):  # type: ignore[no-untyped-def]
    content = _content(slug)
    response = Response(opendata.json_bytes(content), mimetype="application/json")
    response.headers["Content-Disposition"] = attachment(opendata.filename(content, "open-data.json"))
    return response


@bp.get("/plans/<slug>/data/<dataset>.csv")
def open_data_csv(slug: str, dataset: str):  # type: ignore[no-untyped-def]
    ensure(dataset in DATASETS)
    content = _content(slug)
    response = Response(opendata.csv_bytes(content, dataset), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(opendata.filename(content, f"{dataset}.csv"))
    return response


# --- the administrators' control (sign-in required: "public.manage" is not an exempt blueprint) -------------


def _load_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    ensure(plan is not None and plan.deleted_at is None and plan.can_view(current_user))
    return plan  # type: ignore[return-value]


def _plan_page(plan_id: int):  # type: ignore[no-untyped-def]
    """Back to the plan's page, at its public-site panel."""
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor="public-page-heading"))


@manage.post("/plans/<int:plan_id>/publish")
def publish_plan(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    publication = run_service(lambda: services.publish(plan, user=current_user))
    if publication is None:
        return _plan_page(plan_id)
    try:  # start the public PDF now, so that it is ready before anyone asks; the page retries otherwise
        pdf_state(public_plan(publication))
    except Exception:
        current_app.logger.exception("could not start the public PDF of plan %s", plan_id)
    flash(f"Version {publication.version.number} is on the public site: anyone can read it.", "success")
    return _plan_page(plan_id)


@manage.post("/plans/<int:plan_id>/unpublish")
def unpublish_plan(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    if run_service(lambda: services.unpublish(plan, user=current_user)):
        flash("The plan is off the public site: its pages, PDF and open data are gone.", "success")
    return _plan_page(plan_id)


bp.register_blueprint(manage)
