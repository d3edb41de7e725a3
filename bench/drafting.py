"""Drafting pages on a large plan: 60 sections with 12 revisions each, as the demo editor."""

from __future__ import annotations

from typing import Any

from app.auth.models import Organization, User
from app.demo.seed import DEMO_USERS, STATE_SLUG, load_demo
from app.extensions import db
from app.plans import services
from app.plans.models import PlanSection
from app.plans.templates import get_template
from bench.timing import bench_app, measure, sqlite_url

SECTIONS = 60
REVISIONS = 12


def _build_large_plan(template_dir: str) -> tuple[int, int]:
    org = db.session.scalar(db.select(Organization).where(Organization.slug == STATE_SLUG))
    editor = db.session.scalar(db.select(User).where(User.email == DEMO_USERS[1].email))
    template = get_template(template_dir, "us-state-customer-centric")
    assert org and editor and template
    plan = services.create_plan(
        organization=org,
        owner=editor,
        title="Benchmark plan",
        first_fiscal_year=2027,
        last_fiscal_year=2030,
        template=template,
    )
    while len(plan.sections) < SECTIONS:
        services.add_section(plan, user=editor, title=f"Programme {len(plan.sections) + 1}")
    paragraph = "The programme replaces paper intake with a shared digital front door for residents. " * 20
    for section in plan.sections:
        for n in range(REVISIONS):
            services.save_section(
                section,
                user=editor,
                title=section.title,
                body=f"{paragraph}\n\nRevision {n}.",
                base_version=section.version,
                ready=n % 2 == 0,
            )
    db.session.commit()
    first = min(s.id for s in plan.sections if s.key == "vision-mission")
    return plan.id, first


def run(folder: str, repeat: int) -> dict[str, Any]:
    with bench_app(sqlite_url(folder, "drafting.db")) as app:
        with app.app_context():
            load_demo(app.config["PLAN_TEMPLATE_DIR"])
            db.session.commit()
            plan_id, section_id = _build_large_plan(app.config["PLAN_TEMPLATE_DIR"])
            assert db.session.get(PlanSection, section_id)
        client = app.test_client()
        client.post("/login", data={"email": DEMO_USERS[1].email, "password": DEMO_USERS[1].password})
        pages = {
            "plan_list": "/plans",
            "plan_overview_60_sections": f"/plans/{plan_id}",
            "section_view": f"/plans/{plan_id}/sections/{section_id}",
            "section_edit": f"/plans/{plan_id}/sections/{section_id}/edit",
            "section_history_12_revisions": f"/plans/{plan_id}/sections/{section_id}/history",
            "revision_compare": f"/plans/{plan_id}/sections/{section_id}/compare?from=2&to={REVISIONS + 1}",
        }
        return {"database": "sqlite", "pages": {name: measure(app, client, url, repeat) for name, url in pages.items()}}
