"""Similar work at 10,000 initiatives: time the answer for a sample of initiatives.

One organization of the scale data set with 10,000 initiatives (the whole family), ten shared services and
about 4,000 service ties. The first answer builds the family's index (reported as ``cold_build_ms``); the
sample then times ``similar_work`` for 200 initiatives spread over the set (server time, no HTTP), and the
initiative page with the architecture panel is timed through the test client. SQLite always; PostgreSQL too
when TEST_DATABASE_URL names a PostgreSQL database (its public schema is emptied first).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from sqlalchemy import insert

from app.architecture import similarity
from app.architecture.models import InitiativeService, ServiceUser, SharedService
from app.auth.models import User
from app.core.db import utcnow
from app.demo.scale import SCALE_PASSWORD, load_scale
from app.extensions import db
from app.portfolio.models import Initiative
from bench.timing import bench_app, measure, sqlite_url

INITIATIVES = 10_000
SAMPLE = 200
SERVICES = (
    "Identity Hub",
    "Payments Gateway",
    "Enterprise Data Platform",
    "Integration Platform",
    "Cloud Landing Zone",
    "Security Operations Center",
    "Document Management",
    "GIS Platform",
    "Notify",
    "Case Management",
)


def _load(app: Any) -> dict[str, Any]:
    rng = random.Random(2027)
    with app.app_context():
        started = time.perf_counter()
        organization = load_scale(orgs=1, initiatives=INITIATIVES)[0]
        now = utcnow()
        service_ids = []
        for name in SERVICES:
            service_id = db.session.execute(
                insert(SharedService)
                .values(
                    organization_id=organization.id,
                    name=name,
                    kind="application",
                    description="",
                    owner="",
                    lifecycle="operate",
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
                .returning(SharedService.id)
            ).scalar_one()
            db.session.execute(insert(ServiceUser).values(service_id=service_id, organization_id=organization.id))
            service_ids.append(service_id)
        ids = list(db.session.scalars(db.select(Initiative.id).where(Initiative.organization_id == organization.id)))
        ties = []
        for initiative_id in rng.sample(ids, k=len(ids) * 3 // 10):
            for service_id in rng.sample(service_ids, k=rng.choice((1, 1, 2))):
                ties.append(
                    {
                        "initiative_id": initiative_id,
                        "service_id": service_id,
                        "relation": rng.choice(("reuses", "reuses", "delivers")),
                        "note": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        db.session.execute(insert(InitiativeService), ties)
        db.session.commit()
        editor = db.session.scalar(db.select(User).where(User.email == f"editor@{organization.slug}.example"))
        assert editor is not None
        return {
            "ids": ids,
            "ties": len(ties),
            "email": editor.email,
            "editor_id": editor.id,
            "load_seconds": round(time.perf_counter() - started, 1),
        }


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(0.95 * len(timings)) - 1)], 1),
        "max_ms": round(timings[-1], 1),
    }


def run_one(database_url: str, repeat: int) -> dict[str, Any]:
    with bench_app(database_url) as app:
        loaded = _load(app)
        sample = loaded["ids"][:: max(1, len(loaded["ids"]) // SAMPLE)][:SAMPLE]
        with app.app_context():
            user = db.session.get(User, loaded["editor_id"])
            first = db.session.get(Initiative, sample[0])
            similarity.clear_cache()
            start = time.perf_counter()
            similarity.similar_work(first, user)
            cold = (time.perf_counter() - start) * 1000
            timings, found = [], 0
            for initiative_id in sample:
                initiative = db.session.get(Initiative, initiative_id)
                start = time.perf_counter()
                found += len(similarity.similar_work(initiative, user))
                timings.append((time.perf_counter() - start) * 1000)
                db.session.expire_all()
        client = app.test_client()
        client.post("/login", data={"email": loaded["email"], "password": SCALE_PASSWORD})
        page = measure(app, client, f"/initiatives/{sample[-1]}", repeat)
        return {
            "initiatives": INITIATIVES,
            "service_ties": loaded["ties"],
            "load_seconds": loaded["load_seconds"],
            "cold_build_ms": round(cold, 1),
            "similar_work": {
                "sample": len(timings),
                "mean_matches": round(found / len(timings), 1),
                **_percentiles(timings),
            },
            "initiative_page_with_panel": page,
        }


def run(folder: str, repeat: int) -> list[dict[str, Any]]:
    targets = [("sqlite", sqlite_url(folder, "similarity.db"))]
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        targets.append(("postgresql", os.environ["TEST_DATABASE_URL"]))
    return [{"database": name, **run_one(url, repeat)} for name, url in targets]


if __name__ == "__main__":  # python -m bench.similarity: this part alone
    import json
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(folder, int(os.environ.get("BENCH_REPEAT", "10"))), indent=2))
