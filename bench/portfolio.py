"""Portfolio pages at 100 and at 10,000 initiatives (one organization of the scale data set)."""

from __future__ import annotations

import os
import time
from typing import Any

from app.auth.models import User
from app.demo.scale import SCALE_PASSWORD, load_scale
from app.extensions import db
from app.objectives.models import Kpi
from app.plans import services as plan_services
from app.plans.models import PlanSection
from app.plans.templates import get_template
from app.portfolio.models import Initiative
from bench.timing import bench_app, measure, sqlite_url

SIZES = (100, 10_000)


def _load(app: Any, initiatives: int) -> dict[str, Any]:
    with app.app_context():
        started = time.perf_counter()
        organization = load_scale(orgs=1, initiatives=initiatives, long_plan_sections=0)[0]
        editor = db.session.scalar(db.select(User).where(User.email == f"editor@{organization.slug}.example"))
        template = get_template(app.config["PLAN_TEMPLATE_DIR"], "us-state-customer-centric")
        assert editor and template
        plan = plan_services.create_plan(
            organization=organization,
            owner=editor,
            title="Scale plan",
            first_fiscal_year=2027,
            last_fiscal_year=2030,
            template=template,
        )
        db.session.commit()
        ids = {
            "plan": plan.id,
            "action_plan": next(s.id for s in plan.sections if s.key == "action-plan"),
            "initiative": db.session.scalar(db.select(db.func.max(Initiative.id))),
            "kpi": db.session.scalar(db.select(db.func.min(Kpi.id))),
            "email": editor.email,
            "load_seconds": round(time.perf_counter() - started, 1),
        }
        assert db.session.get(PlanSection, ids["action_plan"])
        return ids


def _pages(ids: dict[str, Any]) -> dict[str, str]:
    plan = ids["plan"]
    return {
        "portfolio_list": "/initiatives",
        "portfolio_list_search": "/initiatives?q=platform&status=in_progress",
        "portfolio_list_sorted_by_cost": "/initiatives?sort=cost&order=desc",
        "initiative_detail": f"/initiatives/{ids['initiative']}",
        "objectives_list": "/objectives",
        "kpi_page": f"/kpis/{ids['kpi']}",
        "traceability_matrix": f"/plans/{plan}/traceability",
        "gaps_report": f"/plans/{plan}/gaps",
        "balance": f"/plans/{plan}/balance",
        "plan_overview": f"/plans/{plan}",
        "action_plan_section_with_roadmap_and_budget_blocks": f"/plans/{plan}/sections/{ids['action_plan']}",
    }


def run_one(database_url: str, initiatives: int, repeat: int) -> dict[str, Any]:
    with bench_app(database_url) as app:
        ids = _load(app, initiatives)
        client = app.test_client()
        client.post("/login", data={"email": ids["email"], "password": SCALE_PASSWORD})
        pages = {name: measure(app, client, url, repeat) for name, url in _pages(ids).items()}
        return {"initiatives": initiatives, "load_seconds": ids["load_seconds"], "pages": pages}


def run(folder: str, repeat: int) -> list[dict[str, Any]]:
    targets = [("sqlite", lambda n: sqlite_url(folder, f"portfolio-{n}.db"))]
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        targets.append(("postgresql", lambda n: os.environ["TEST_DATABASE_URL"]))
    return [{"database": name, **run_one(url_for(size), size, repeat)} for name, url_for in targets for size in SIZES]
