"""Similar work at 10,000 initiatives: time the answer when the index is warm and right after an edit.

One organization of the scale data set with 10,000 initiatives (the whole family), ten shared services and
about 4,000 service ties. The scale set's one-line texts are replaced by realistic ones (a title such as
"Vehicle registration cloud migration" and a summary of about 50 words from a state IT office's vocabulary),
so documents have as many terms as real ones. Timed, server side, no HTTP:
- ``cold_build_ms``: the first answer in a process (reads and indexes the whole family);
- ``warm``: ``similar_work`` for 200 initiatives spread over the set, nothing changed in between;
- ``after_edit``: 40 times, an editor changes one initiative's title through the portfolio service and
  commits, then ``similar_work`` is asked for a *different* initiative (the index catches up first);
- ``after_new_initiative`` and ``after_tie``: the same after creating an initiative, or tying one to a service;
- the initiative page with the architecture panel, through the test client.
Any other process could have made the edit: the index only learns of it from the database (its signature).
SQLite always; PostgreSQL too when TEST_DATABASE_URL names a PostgreSQL database (its public schema is
emptied first). The load average is reported: other work on the machine inflates the figures.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert

from app.architecture import services as architecture_services
from app.architecture import similarity
from app.architecture.models import InitiativeService, ServiceUser, SharedService
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.demo.scale import SCALE_PASSWORD, load_scale
from app.extensions import db
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative
from bench.timing import bench_app, measure, sqlite_url

INITIATIVES = 10_000
SAMPLE = 200
EDITS = 40
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
AGENCIES = (
    "Department of Revenue",
    "Division of Motor Vehicles",
    "Department of Health Services",
    "Department of Corrections",
    "Department of Transportation",
    "Department of Labor",
    "Department of Natural Resources",
    "Secretary of State",
    "State Police",
    "Department of Human Services",
    "Department of Public Instruction",
    "State Treasurer",
    "Department of Agriculture",
    "Emergency Management",
    "Office of the Commissioner of Insurance",
    "Department of Children and Families",
    "Public Service Commission",
    "Department of Veterans Affairs",
    "Department of Workforce Development",
    "County Clerk",
)
SUBJECTS = (
    "business licensing portal",
    "case management system",
    "individual income tax filing",
    "building permit tracking",
    "eligibility determination system",
    "records retention",
    "payment processing",
    "identity verification",
    "enterprise data warehouse",
    "GIS parcel mapping",
    "contact centre telephony",
    "mobile inspection app",
    "document imaging",
    "grant management",
    "inspection scheduling",
    "fleet management",
    "IT asset inventory",
    "HR and payroll",
    "eProcurement portal",
    "public website",
    "benefits enrollment",
    "unemployment insurance claims",
    "vital records",
    "electronic court filing",
    "voter registration",
    "state parks reservations",
    "hunting and fishing licences",
    "vehicle registration",
    "child support enforcement",
    "Medicaid claims processing",
)
ACTIONS = (
    "modernization",
    "replacement",
    "cloud migration",
    "upgrade",
    "consolidation",
    "integration",
    "rebuild",
    "implementation",
    "expansion",
    "retirement",
)
LEGACY = ("mainframe", "COBOL", "Lotus Notes", "Access database", "client-server", "PowerBuilder", "on-premises")
TARGETS = ("commercial off-the-shelf", "low-code", "software-as-a-service", "cloud-hosted", "shared enterprise")
BENEFITS = (
    "apply and renew online without visiting an office",
    "track the status of their requests in real time",
    "receive text and email reminders before deadlines",
    "pay fees by card or ACH",
    "upload supporting documents from a phone",
    "get decisions within five business days instead of six weeks",
)
APPROACHES = (
    "reuses the statewide identity and payments services",
    "moves reporting data to the enterprise data platform",
    "retires two legacy servers in the state data centre",
    "adds role-based access and audit logging",
    "follows the state accessibility and security standards",
    "shares address validation with the GIS platform",
)
CONSTRAINTS = (
    "must finish before the vendor ends support in 2028",
    "is funded by a federal grant with a state match",
    "depends on the network refresh at regional offices",
    "requires legislative approval of fee changes",
    "will be delivered in three releases",
    "needs staff training in every county office",
)


def realistic_text(rng: random.Random) -> tuple[str, str]:
    """A title and a summary as a state IT office writes them."""
    subject, agency = rng.choice(SUBJECTS), rng.choice(AGENCIES)
    title = f"{subject[0].upper()}{subject[1:]} {rng.choice(ACTIONS)}"
    summary = (
        f"Replace the {rng.randrange(8, 31)}-year-old {rng.choice(LEGACY)} {subject} used by the {agency} with a "
        f"{rng.choice(TARGETS)} solution. Residents and businesses will {rng.choice(BENEFITS)}. "
        f"The project {rng.choice(APPROACHES)} and {rng.choice(CONSTRAINTS)}."
    )
    return title, summary


def _load(app: Any) -> dict[str, Any]:
    rng = random.Random(2027)
    with app.app_context():
        started = time.perf_counter()
        organization = load_scale(orgs=1, initiatives=INITIATIVES, long_plan_sections=0)[0]
        now = utcnow()
        ids = list(db.session.scalars(db.select(Initiative.id).where(Initiative.organization_id == organization.id)))
        table = Initiative.__table__
        texts = []
        for initiative_id in ids:
            title, summary = realistic_text(rng)
            texts.append({"b_id": initiative_id, "b_title": title, "b_summary": summary})
        db.session.connection().execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(title=bindparam("b_title"), summary=bindparam("b_summary")),
            texts,
        )
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
            "service_ids": service_ids,
            "organization_id": organization.id,
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


def _fields(initiative: Initiative, **changed: Any) -> portfolio_services.InitiativeFields:
    names = portfolio_services.InitiativeFields.__dataclass_fields__
    return portfolio_services.InitiativeFields(**{name: getattr(initiative, name) for name in names} | changed)


def _ask(initiative_id: int, user: User) -> tuple[float, int]:
    initiative = db.session.get(Initiative, initiative_id)
    assert initiative is not None
    start = time.perf_counter()
    found = len(similarity.similar_work(initiative, user))
    elapsed = (time.perf_counter() - start) * 1000
    db.session.expire_all()
    return elapsed, found


def _after(changes: int, change: Callable[[int], None], ask_for: Callable[[int], int], user: User) -> dict[str, Any]:
    """Time the answer for ``ask_for(n)`` right after ``change(n)`` was committed, ``changes`` times."""
    timings = []
    for n in range(changes):
        change(n)
        db.session.commit()
        db.session.expire_all()
        timings.append(_ask(ask_for(n), user)[0])
    return {"changes": changes, **_percentiles(timings)}


def run_one(database_url: str, repeat: int) -> dict[str, Any]:
    rng = random.Random(9)
    with bench_app(database_url) as app:
        loaded = _load(app)
        ids = loaded["ids"]
        sample = ids[:: max(1, len(ids) // SAMPLE)][:SAMPLE]
        with app.app_context():
            user = db.session.get(User, loaded["editor_id"])
            assert user is not None
            similarity.clear_cache()
            cold, _found = _ask(sample[0], user)
            timings, found = [], 0
            for initiative_id in sample:
                elapsed, matches = _ask(initiative_id, user)
                timings.append(elapsed)
                found += matches

            def edit_title(n: int) -> None:
                initiative = db.session.get(Initiative, ids[(n * 7919) % len(ids)])
                assert initiative is not None
                portfolio_services.update_initiative(
                    initiative,
                    user=user,
                    fields=_fields(initiative, title=realistic_text(rng)[0]),
                    base_version=initiative.version,
                )

            organization = db.session.get(Organization, loaded["organization_id"])

            def new_initiative(n: int) -> None:
                title, summary = realistic_text(rng)
                portfolio_services.create_initiative(
                    organization=organization,
                    user=user,
                    fields=portfolio_services.InitiativeFields(code=f"BENCH-{n:03d}", title=title, summary=summary),
                )

            def tie(n: int) -> None:
                initiative = db.session.get(Initiative, ids[(n * 104729 + 13) % len(ids)])
                service = db.session.get(SharedService, loaded["service_ids"][n % len(SERVICES)])
                assert initiative is not None and service is not None
                if any(t.service_id == service.id for t in _ties_of(initiative.id)):
                    return
                architecture_services.tie_service(initiative, user=user, service=service, relation="reuses")

            def other(n: int) -> int:
                return sample[(n * 37 + 5) % len(sample)]

            after_edit = _after(EDITS, edit_title, other, user)
            after_new = _after(EDITS // 2, new_initiative, other, user)
            after_tie = _after(EDITS // 2, tie, other, user)
        client = app.test_client()
        client.post("/login", data={"email": loaded["email"], "password": SCALE_PASSWORD})
        page = measure(app, client, f"/initiatives/{sample[-1]}", repeat)
        return {
            "initiatives": INITIATIVES,
            "service_ties": loaded["ties"],
            "load_seconds": loaded["load_seconds"],
            "cold_build_ms": round(cold, 1),
            "warm": {"sample": len(timings), "mean_matches": round(found / len(timings), 1), **_percentiles(timings)},
            "after_edit": after_edit,
            "after_new_initiative": after_new,
            "after_tie": after_tie,
            "initiative_page_with_panel": page,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }


def _ties_of(initiative_id: int) -> list[InitiativeService]:
    return list(
        db.session.scalars(db.select(InitiativeService).where(InitiativeService.initiative_id == initiative_id))
    )


def run(folder: str, repeat: int) -> list[dict[str, Any]]:
    targets = [("sqlite", sqlite_url(folder, "similarity.db"))]
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        targets.append(("postgresql", os.environ["TEST_DATABASE_URL"]))
    results = []
    for name, url in targets:
        load_before = [round(x, 2) for x in os.getloadavg()]
        results.append({"database": name, "load_average_before": load_before, **run_one(url, repeat)})
    return results


if __name__ == "__main__":  # python -m bench.similarity: this part alone
    import json
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(folder, int(os.environ.get("BENCH_REPEAT", "10"))), indent=2))
