"""The gaps report: each kind of gap is listed, linked to its object, and disappears once fixed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from app.core.db import utcnow
from app.extensions import db
from app.plans.scope import scope_of
from app.portfolio import traceability
from tests.plans.html import main_content, squash
from tests.traceability import builders as b
from tests.traceability.world import build_portfolio

SECTIONS = {
    "objectives without initiatives": "gaps-objectives-no-initiative",
    "objectives without KPIs": "gaps-objectives-no-kpi",
    "initiatives without objectives": "gaps-initiatives-no-objective",
    "initiatives without owner": "gaps-initiatives-no-owner",
    "stale KPIs": "gaps-stale-kpis",
    "unmitigated risks": "gaps-risks",
}


def listed(client, plan) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each gap section's items, as shown."""
    response = client.get(f"/plans/{plan.id}/gaps")
    assert response.status_code == 200
    page = main_content(response.get_data(as_text=True))
    found = {}
    for name, heading_id in SECTIONS.items():
        section = next(s for s in page.find_all("section") if s.attrs.get("aria-labelledby") == heading_id)
        found[name] = [squash(li.text) for li in section.find_all("li")]
    return found


def test_objectives_that_no_initiative_serves_are_listed_at_the_lowest_level(editor_client, org, plan):
    build_portfolio(org)
    assert listed(editor_client, plan)["objectives without initiatives"] == []
    b.objective(org, "G3", title="Open data by default")
    assert listed(editor_client, plan)["objectives without initiatives"] == ["G3 Open data by default"]


def test_objectives_without_a_kpi(editor_client, org, plan):
    world = build_portfolio(org)
    for code in ("G1.1", "G1.2.1"):
        b.kpi(org, objective=world.objectives[code], baseline_date=utcnow().date())
    assert listed(editor_client, plan)["objectives without KPIs"] == [
        "G2.1 Objective G2.1".replace("Objective G2.1", "Phishing-resistant sign-in")
    ]


def test_initiatives_linked_to_no_objective(editor_client, org, plan):
    build_portfolio(org)
    assert listed(editor_client, plan)["initiatives without objectives"] == ["INI-3 Data centre refresh"]


def test_initiatives_without_an_owner(editor_client, org, plan):
    world = build_portfolio(org)
    world.initiatives["INI-2"].owner = "   "
    db.session.commit()
    assert listed(editor_client, plan)["initiatives without owner"] == [
        "INI-2 Form translation",
        "INI-3 Data centre refresh",
    ]


@pytest.mark.parametrize(
    ("frequency", "days_ago", "stale"),
    [
        ("monthly", 20, False),
        ("monthly", 40, True),
        ("quarterly", 80, False),
        ("quarterly", 100, True),
        ("annually", 400, True),
    ],
)
def test_kpis_not_measured_within_their_frequency_are_stale(
    editor_client, editor, org, plan, frequency, days_ago, stale
):
    world = build_portfolio(org)
    today = utcnow().date()
    measure = b.kpi(
        org,
        objective=world.objectives["G1.1"],
        name="Permits online",
        frequency=frequency,
        baseline_date=today - timedelta(days=500),
    )
    b.measurement(measure, today - timedelta(days=days_ago), "31.5", by=editor)
    items = listed(editor_client, plan)["stale KPIs"]
    assert bool(items) is stale
    if stale:
        assert items[0].startswith(f"Permits online (G1.1, measured {frequency}): last measured")


def test_a_kpi_never_measured_is_stale_once_its_baseline_is_older_than_its_frequency(editor_client, org, plan):
    world = build_portfolio(org)
    today = utcnow().date()
    b.kpi(
        org,
        initiative=world.initiatives["INI-1"],
        name="Portal uptime",
        frequency="monthly",
        baseline_date=today - timedelta(days=60),
    )
    b.kpi(org, initiative=world.initiatives["INI-2"], name="Forms translated", frequency="monthly", baseline_date=today)
    assert listed(editor_client, plan)["stale KPIs"] == ["Portal uptime (INI-1, measured monthly): never measured"]


def test_high_risks_without_mitigation(editor_client, org, plan):
    world = build_portfolio(org)
    ini1 = world.initiatives["INI-1"]
    b.risk(ini1, likelihood=3, impact=5, title="Vendor lock-in")  # 15: listed
    b.risk(ini1, likelihood=4, impact=3, title="Low risk")  # 12: not high
    b.risk(ini1, likelihood=5, impact=5, mitigation="Second supplier", title="Mitigated")
    b.risk(ini1, likelihood=5, impact=5, mitigation="  ", title="Blank mitigation")
    b.risk(ini1, likelihood=5, impact=4, status="closed", title="Closed risk")
    assert listed(editor_client, plan)["unmitigated risks"] == [
        "Blank mitigation, score 25, on INI-1 Permit portal",
        "Vendor lock-in, score 15, on INI-1 Permit portal",
    ]


def test_a_clean_plan_says_so_and_counts_gaps_otherwise(editor_client, org, plan):
    page = squash(main_content(editor_client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True)).text)
    assert "No gaps:" in page
    build_portfolio(org)
    page = squash(main_content(editor_client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True)).text)
    assert "items need attention" in page


def gap_links(client, plan) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = main_content(client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True))
    sections = [s for s in page.find_all("section") if s.attrs.get("aria-labelledby") in SECTIONS.values()]
    return {squash(a.text): a.attrs["href"] or "" for section in sections for a in section.find_all("a")}


def test_each_gap_links_to_its_objective_kpi_or_initiative(app, editor_client, editor, org, plan):
    world = build_portfolio(org)
    g3 = b.objective(org, "G3", title="Open data by default")
    stale = b.kpi(
        org,
        objective=world.objectives["G1.1"],
        name="Permits online",
        frequency="monthly",
        baseline_date=utcnow().date() - timedelta(days=90),
    )
    b.risk(world.initiatives["INI-2"], likelihood=5, impact=3)
    with app.test_request_context():
        expected = {
            "G3 Open data by default": url_for("objectives.show_objective", objective_id=g3.id),
            "Permits online": url_for("objectives.show_kpi", kpi_id=stale.id),
            "INI-3 Data centre refresh": url_for(
                "portfolio.show_initiative", initiative_id=world.initiatives["INI-3"].id
            ),
            "INI-2 Form translation": url_for("portfolio.show_initiative", initiative_id=world.initiatives["INI-2"].id),
        }
    links = gap_links(editor_client, plan)
    assert {text: links.get(text) for text in expected} == expected


def section_text(client, plan, name: str) -> str:  # type: ignore[no-untyped-def]
    page = main_content(client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True))
    (section,) = [s for s in page.find_all("section") if s.attrs.get("aria-labelledby") == SECTIONS[name]]
    return squash(section.text)


def test_a_long_gap_list_shows_its_first_hundred_by_code_and_says_how_many_more(editor_client, org, plan):
    build_portfolio(org)
    b.bulk_initiatives(org, 130, prefix="LOOSE", owner="")  # neither linked nor owned
    db.session.commit()
    found = listed(editor_client, plan)
    unlinked = found["initiatives without objectives"]
    assert len(unlinked) == 100
    assert unlinked[:2] == ["INI-3 Data centre refresh", "LOOSE-0001 Initiative LOOSE-0001"]
    assert unlinked[-1] == "LOOSE-0099 Initiative LOOSE-0099"
    text = section_text(editor_client, plan, "initiatives without objectives")
    assert text.startswith("Initiatives that serve no objective (131)")
    assert text.endswith("Showing 100 of 131; 31 more are not listed here.")
    assert len(found["initiatives without owner"]) == 100
    assert section_text(editor_client, plan, "initiatives without owner").endswith(
        "Showing 100 of 131; 31 more are not listed here."
    )
    page = squash(main_content(editor_client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True)).text)
    assert "265 items need attention" in page  # 131 + 131 + the three objectives without a KPI


def test_a_short_gap_list_has_no_showing_line(editor_client, org, plan):
    build_portfolio(org)
    text = section_text(editor_client, plan, "initiatives without objectives")
    assert text.startswith("Initiatives that serve no objective (1)")
    assert "Showing" not in text


def test_the_gap_lists_are_cut_in_the_database_and_counted_in_full(org, plan):
    world = build_portfolio(org)
    for title, impact in (("Strike", 3), ("Outage", 5), ("Breach", 4)):
        b.risk(world.initiatives["INI-2"], likelihood=5, impact=impact, title=title)
    found = traceability.gaps(scope_of(plan), utcnow().date(), limit=2)
    assert [r.title for r in found.unmitigated_risks.items] == ["Outage", "Breach"]  # highest score first
    assert (found.unmitigated_risks.total, found.unmitigated_risks.more) == (3, 1)
    assert [o.code for o in found.objectives_without_kpis.items] == ["G1.1", "G1.2.1"]
    assert found.objectives_without_kpis.total == 3


def test_only_the_latest_measurement_decides_whether_a_kpi_is_stale(editor_client, editor, org, plan):
    world = build_portfolio(org)
    today = utcnow().date()
    measure = b.kpi(
        org,
        objective=world.objectives["G1.1"],
        name="Permits online",
        frequency="monthly",
        baseline_date=today - timedelta(days=400),
    )
    b.measurement(measure, today - timedelta(days=300), "25", by=editor)
    assert listed(editor_client, plan)["stale KPIs"] != []
    b.measurement(measure, today - timedelta(days=5), "31", by=editor)
    assert listed(editor_client, plan)["stale KPIs"] == []
