"""The traceability matrix: one table per goal, objectives as rows, initiatives as columns, P/S cells."""

from __future__ import annotations

from app.auth.models import Role
from app.core.db import utcnow
from app.extensions import db
from tests.factories import create_org, create_user
from tests.plans.html import Element, main_content, squash
from tests.traceability import builders as b
from tests.traceability.html import grid, seen
from tests.traceability.world import build_portfolio


def tables_of(client, plan) -> list[Element]:  # type: ignore[no-untyped-def]
    response = client.get(f"/plans/{plan.id}/traceability")
    assert response.status_code == 200
    return main_content(response.get_data(as_text=True)).find_all("table")


def test_one_table_per_goal_with_objectives_as_rows_and_initiatives_as_columns(editor_client, org, plan):
    build_portfolio(org)
    g1, g2 = tables_of(editor_client, plan)
    assert squash(g1.find("caption").text).startswith("Goal G1:")
    assert grid(g1) == [
        ["Objective", "INI-1 Permit portal", "INI-2 Form translation"],
        ["G1 Digital services residents can use", "", ""],
        ["G1.1 One front door for permits, under G1", "primary", ""],
        ["G1.2 Services in every language, under G1", "", ""],
        ["G1.2.1 Translate the top 20 forms, under G1.2", "", "primary"],
    ]
    assert grid(g2) == [
        ["Objective", "INI-1 Permit portal"],
        ["G2 Secure foundations", ""],
        ["G2.1 Phishing-resistant sign-in, under G2", "supporting"],
    ]


def test_cells_show_p_and_s_as_explained_abbreviations(editor_client, org, plan):
    build_portfolio(org)
    g1, g2 = tables_of(editor_client, plan)
    primary = g1.find("abbr")
    assert (primary.text, primary.attrs["title"]) == ("P", "primary")
    supporting = g2.find("abbr")
    assert (supporting.text, supporting.attrs["title"]) == ("S", "supporting")
    assert grid(g1, seen)[2] == ["G1.1 One front door for permits", "P", ""]
    assert g2.find("span", class_="usa-sr-only").text  # the column header's full title for screen readers
    page = main_content(editor_client.get(f"/plans/{plan.id}/traceability").get_data(as_text=True))
    legend = squash(page.find("dl").text)
    assert "P primary" in legend and "S supporting" in legend


def test_headers_have_scopes(editor_client, org, plan):
    build_portfolio(org)
    for table in tables_of(editor_client, plan):
        header = table.find("thead")
        assert {th.attrs.get("scope") for th in header.find_all("th")} == {"col"}
        assert {th.attrs.get("scope") for th in table.find("tbody").find_all("th")} == {"row"}


def test_rows_are_indented_by_level(editor_client, org, plan):
    build_portfolio(org)
    g1 = tables_of(editor_client, plan)[0]
    classes = [th.attrs["class"] for th in g1.find("tbody").find_all("th")]
    assert classes == ["padding-left-1", "padding-left-3", "padding-left-3", "padding-left-5"]


def test_the_matrix_follows_the_plans_scope(editor_client, org, plan):
    world = build_portfolio(org)
    editor_client.post(
        f"/plans/{plan.id}/scope",
        data={"objectives": [str(world.objectives["G2.1"].id)], "initiatives": [str(world.initiatives["INI-1"].id)]},
    )
    (only,) = tables_of(editor_client, plan)
    assert grid(only) == [
        ["Objective", "INI-1 Permit portal"],
        ["G2.1 Phishing-resistant sign-in, under G2", "supporting"],
    ]
    assert "Goal G2:" in squash(only.find("caption").text)


def test_deleted_and_other_organizations_initiatives_never_appear(editor_client, org, plan):
    world = build_portfolio(org)
    world.initiatives["INI-2"].deleted_at = utcnow()
    db.session.commit()
    other = create_org()
    stranger = b.initiative(other, "INI-9", title="Somebody else's project")
    b.link(stranger, world.objectives["G1.1"])
    page = editor_client.get(f"/plans/{plan.id}/traceability").get_data(as_text=True)
    assert "Form translation" not in page
    assert "Somebody else" not in page


def test_a_viewer_can_read_the_matrix_but_is_not_offered_the_scope_page(signed_in, org, plan):
    build_portfolio(org)
    viewer = signed_in(create_user(org=org, role=Role.VIEWER))
    page = viewer.get(f"/plans/{plan.id}/traceability").get_data(as_text=True)
    assert "Permit portal" in page
    assert f"/plans/{plan.id}/scope" not in page


def test_an_empty_plan_says_there_is_nothing_yet(editor_client, plan):
    page = main_content(editor_client.get(f"/plans/{plan.id}/traceability").get_data(as_text=True))
    assert page.find_all("table") == []
    assert "This plan covers no objectives yet." in squash(page.text)


def test_a_goal_with_many_initiatives_is_split_into_tables_of_forty_columns(editor_client, org, plan):
    goal = b.objective(org, "G1", title="Digital services")
    for n in range(45):
        b.link(b.initiative(org, f"INI-{n:02d}", commit=False), goal, commit=False)
    db.session.commit()
    page = main_content(editor_client.get(f"/plans/{plan.id}/traceability").get_data(as_text=True))
    first, second = page.find_all("table")
    assert squash(first.find("caption").text).endswith("initiatives 1–40 of 45")
    assert squash(second.find("caption").text).endswith("initiatives 41–45 of 45")
    assert [len(grid(t)[0]) - 1 for t in (first, second)] == [40, 5]
    assert [squash(h.text) for h in page.find_all("h2")] == ["G1 Digital services"]
