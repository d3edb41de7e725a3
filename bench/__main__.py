"""``make bench``: time the drafting pages with the Flask test client and print one JSON summary.

Builds a throwaway SQLite database (migrations + demo data + a large plan: 60 sections with
12 revisions each), then requests each page N times as the demo editor and reports p50/p95
in milliseconds and the SQL statements each page runs. Results go to bench/results/latest.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.auth.models import Organization, User  # noqa: E402
from app.demo.seed import DEMO_USERS, STATE_SLUG, load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.plans import services  # noqa: E402
from app.plans.templates import get_template  # noqa: E402
from config import TestingConfig  # noqa: E402

REPEAT = 40
SECTIONS = 60
REVISIONS = 12


def _build_large_plan(template_dir: str) -> int:
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
    return plan.id


def _measure(client, url: str, engine) -> dict[str, float | int]:  # type: ignore[no-untyped-def]
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    timings = []
    for i in range(REPEAT):
        if i == REPEAT - 1:
            event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    event.remove(engine, "before_cursor_execute", listener)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 2),
        "statements": len(statements),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        app = create_app(config)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_demo(app.config["PLAN_TEMPLATE_DIR"])
            db.session.commit()
            plan_id = _build_large_plan(app.config["PLAN_TEMPLATE_DIR"])
            section_id = db.session.scalar(
                db.select(db.func.min(services.PlanSection.id)).where(services.PlanSection.plan_id == plan_id)
            )
            engine = db.engine
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
        results = {name: _measure(client, url, engine) for name, url in pages.items()}
        with app.app_context():
            db.engine.dispose()
    summary = {
        "command": "make bench",
        "machine": {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count()},
        "database": "SQLite (file, WAL)",
        "requests_per_page": REPEAT,
        "pages": results,
    }
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
