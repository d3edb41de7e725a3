"""Matrix, gaps, balance and a section full of live blocks run the same statements for 10 or 500 initiatives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.auth.models import Role
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement
from app.portfolio.models import Initiative, InitiativeCost, Milestone, ObjectiveLink, Risk
from tests.factories import create_org, create_plan, create_user
from tests.plans.helpers import save, section_url, sections_of
from tests.sql import statements_for
from tests.traceability import builders as b

EVERY_BLOCK = "\n\n".join(
    f"```planwright {name}\n```" for name in ("objectives", "initiatives", "roadmap", "budget", "matrix", "gaps")
)


def office(signed_in, initiatives: int):  # type: ignore[no-untyped-def]
    """An office whose initiatives each have two links, two costs, a milestone, a risk and a measured KPI.

    Written with bulk INSERTs, so 500 initiatives take a moment; a seventh of them have no owner and
    every tenth serves no objective, so every gap has content.
    """
    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor)
    goals = [b.objective(org, f"G{n}") for n in range(1, 4)]
    objectives = [b.objective(org, f"G{g.code[1:]}.{n}", parent=g) for g in goals for n in range(1, 4)]
    ids = b.bulk_initiatives(org, initiatives, prefix="INI")
    db.session.execute(db.update(Initiative).where(Initiative.id.in_(ids[::7])).values(owner=""))
    for model, rows in parts_of(ids, [o.id for o in objectives]).items():
        b.bulk(model, rows)
    measured_kpis(org.id, editor.id, ids)
    db.session.commit()
    client = signed_in(editor)
    section = sections_of(plan)[0]
    assert save(client, section, body=EVERY_BLOCK).status_code == 302
    return client, plan, section


def parts_of(ids: list[int], objectives: list[int]) -> dict[type, list[dict[str, object]]]:
    parts: dict[type, list[dict[str, object]]] = {ObjectiveLink: [], InitiativeCost: [], Milestone: [], Risk: []}
    for n, initiative_id in enumerate(ids):
        if n % 10:
            parts[ObjectiveLink] += [
                {"initiative_id": initiative_id, "objective_id": objectives[n % 9], "role": "primary"},
                {"initiative_id": initiative_id, "objective_id": objectives[(n + 1) % 9], "role": "supporting"},
            ]
        parts[InitiativeCost] += [
            {"initiative_id": initiative_id, "fiscal_year": year, "capital": Decimal(1000 + n), "operating": Decimal(1)}
            for year in (2027, 2028)
        ]
        parts[Milestone].append({"initiative_id": initiative_id, "title": "Go live", "due_date": date(2027, 9, 1)})
        parts[Risk].append(
            {"initiative_id": initiative_id, "title": "Vendor fails", "likelihood": 5, "impact": 3 + n % 3}
        )
    return parts


def measured_kpis(organization_id: int, editor_id: int, ids: list[int]) -> None:
    """A quarterly KPI on each initiative, measured once in 2026."""
    kpi = {
        "organization_id": organization_id,
        "unit": "%",
        "baseline_value": Decimal(20),
        "baseline_date": date(2026, 1, 1),
        "target_value": Decimal(60),
        "target_date": date(2029, 6, 30),
        "frequency": "quarterly",
        "version": 1,
    }
    b.bulk(Kpi, [{**kpi, "initiative_id": initiative_id, "name": f"Uptime {n}"} for n, initiative_id in enumerate(ids)])
    kpi_ids = db.session.scalars(db.select(Kpi.id).where(Kpi.organization_id == organization_id).order_by(Kpi.id))
    reading = {"value": Decimal(31), "entered_by_id": editor_id}
    b.bulk(
        KpiMeasurement,
        [
            {**reading, "kpi_id": kpi_id, "measured_on": date(2026, 6, 1) + timedelta(days=n % 30)}
            for n, kpi_id in enumerate(kpi_ids)
        ],
    )


PAGES = {
    "matrix": "/traceability",
    "matrix, second goal, last page": "/traceability?goal=G2&page=99",
    "gaps": "/gaps",
    "balance": "/balance",
    "section with every block": None,
}


@pytest.mark.parametrize("page", list(PAGES))
def test_statement_count_does_not_grow_with_the_portfolio(signed_in, page):
    counts = []
    for size in (10, 500):
        client, plan, section = office(signed_in, size)
        suffix = PAGES[page]
        url = f"/plans/{plan.id}{suffix}" if suffix else section_url(section)
        counts.append(statements_for(client, url))
    small, large = counts
    assert len(large) == len(small), "\n\n".join(large)
