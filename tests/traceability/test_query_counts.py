"""Matrix, gaps, balance and a section full of live blocks run the same statements for 10 or 200 initiatives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.auth.models import Role
from app.extensions import db
from app.objectives.models import KpiMeasurement
from tests.factories import create_org, create_plan, create_user
from tests.plans.helpers import save, section_url, sections_of
from tests.plans.test_query_counts import counted_statements
from tests.traceability import builders as b

EVERY_BLOCK = "\n\n".join(
    f"```planwright {name}\n```" for name in ("objectives", "initiatives", "roadmap", "budget", "matrix", "gaps")
)


def office(signed_in, initiatives: int):  # type: ignore[no-untyped-def]
    """An office whose initiatives each have links, costs, a milestone, a risk and a measured KPI."""
    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor)
    goals = [b.objective(org, f"G{n}") for n in range(1, 4)]
    objectives = [b.objective(org, f"G{g.code[1:]}.{n}", parent=g) for g in goals for n in range(1, 4)]
    for n in range(initiatives):
        made = b.initiative(org, f"INI-{n:04d}", owner="" if n % 7 == 0 else "Owner", commit=False)
        b.link(made, objectives[n % len(objectives)], "primary", commit=False)
        b.link(made, objectives[(n + 1) % len(objectives)], "supporting", commit=False)
        for year in (2027, 2028):
            b.cost(made, year, f"{1000 + n}.10", "250.05", commit=False)
        db.session.flush()
        b.milestone(made, "Go live", date(2027, 9, 1))
        b.risk(made, likelihood=5, impact=3 + n % 3)
        measure = b.kpi(org, initiative=made, baseline_date=date(2026, 1, 1), commit=False)
        db.session.flush()
        db.session.add(
            KpiMeasurement(
                kpi_id=measure.id,
                measured_on=date(2026, 6, 1) + timedelta(days=n % 30),
                value=n,
                entered_by_id=editor.id,
            )
        )
    db.session.commit()
    client = signed_in(editor)
    section = sections_of(plan)[0]
    assert save(client, section, body=EVERY_BLOCK).status_code == 302
    return client, plan, section


def statements_for(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    with counted_statements() as statements:
        assert client.get(url).status_code == 200
    return statements


@pytest.mark.parametrize("page", ["matrix", "gaps", "balance", "section with every block"])
def test_statement_count_does_not_grow_with_the_portfolio(signed_in, page):
    counts = []
    for size in (10, 200):
        client, plan, section = office(signed_in, size)
        suffix = {"matrix": "/traceability", "gaps": "/gaps", "balance": "/balance"}.get(page)
        url = f"/plans/{plan.id}{suffix}" if suffix else section_url(section)
        counts.append(statements_for(client, url))
    small, large = counts
    assert len(large) == len(small), "\n\n".join(large)
