"""The traceability matrix: one goal at a time, its objectives as rows, the initiatives serving them as columns
(40 a page, in code order), P/S cells, and a summary of every goal at the top."""

from __future__ import annotations

from app.auth.models import Role
from app.core.db import utcnow
from app.extensions import db
from app.portfolio.models import ObjectiveLink
from tests.factories import create_org, create_user
from tests.plans.html import Element, main_content, squash
from tests.traceability import builders as b
from tests.traceability.html import grid, seen
from tests.traceability.world import build_portfolio


def matrix_page(client, plan, query: str = "") -> Element:  # type: ignore[no-untyped-def]
    response = client.get(f"/plans/{plan.id}/traceability{query}")
    assert response.status_code == 200
    return main_content(response.get_data(as_text=True))


def goal_table(page: Element) -> Element:
    """The matrix of the goal on show."""
    (table,) = [t for t in page.find_all("table") if squash(t.find("caption").text).startswith("Goal ")]
    return table


def summary(page: Element) -> list[list[str]]:
    """The goals-at-a-glance table, without its header row."""
    (table,) = [t for t in page.find_all("table") if t.find("caption").attrs.get("id") == "matrix-goals-caption"]
    return grid(table, seen)[1:]


def pages_nav(page: Element) -> dict[str, str]:
    navs = page.find_all("nav", class_="usa-pagination")
    return {squash(a.text): a.attrs["href"] or "" for nav in navs for a in nav.find_all("a")}


def test_the_first_goal_is_shown_with_objectives_as_rows_and_initiatives_as_columns(editor_client, org, plan):
    build_portfolio(org)
    page = matrix_page(editor_client, plan)
    table = goal_table(page)
    assert squash(table.find("caption").text).startswith("Goal G1:")
    assert grid(table) == [
        ["Objective", "INI-1 Permit portal", "INI-2 Form translation"],
        ["G1 Digital services residents can use", "", ""],
        ["G1.1 One front door for permits, under G1", "primary", ""],
        ["G1.2 Services in every language, under G1", "", ""],
        ["G1.2.1 Translate the top 20 forms, under G1.2", "", "primary"],
    ]
    assert [squash(h.text) for h in page.find_all("h2")] == ["G1 Digital services residents can use"]
    assert "Initiatives 1–2 of 2" in squash(page.text)
    assert pages_nav(page) == {}


def test_another_goal_is_chosen_by_its_code(editor_client, org, plan):
    build_portfolio(org)
    for query in ("?goal=G2", "?goal=g2"):
        assert grid(goal_table(matrix_page(editor_client, plan, query))) == [
            ["Objective", "INI-1 Permit portal"],
            ["G2 Secure foundations", ""],
            ["G2.1 Phishing-resistant sign-in, under G2", "supporting"],
        ]
    assert editor_client.get(f"/plans/{plan.id}/traceability?goal=G9").status_code == 404


def test_the_summary_lists_every_goal_with_its_counts_and_links_to_its_matrix(editor_client, org, plan):
    world = build_portfolio(org)
    b.objective(org, "G1.3", parent=world.goals["G1"], title="Open data", position=2)  # served by nobody
    b.link(world.initiatives["INI-1"], world.objectives["G1.2.1"], "supporting")  # INI-1 still counts once
    page = matrix_page(editor_client, plan, "?goal=G2")
    assert summary(page) == [
        ["G1 Digital services residents can use", "5", "2", "1"],
        ["G2 Secure foundations Shown below", "2", "1", "0"],
    ]
    links = {squash(a.text): a for a in page.find("table").find_all("a")}
    assert links["G1 Digital services residents can use"].attrs["href"] == f"/plans/{plan.id}/traceability?goal=G1"
    assert links["G2 Secure foundations"].attrs["aria-current"] == "true"
    headers = [squash(th.text) for th in page.find("table").find("thead").find_all("th")]
    assert headers == ["Goal", "Objectives", "Initiatives serving it", "Objectives no initiative serves"]


def test_cells_show_p_and_s_as_explained_abbreviations(editor_client, org, plan):
    build_portfolio(org)
    g1 = goal_table(matrix_page(editor_client, plan))
    primary = g1.find("abbr")
    assert (primary.text, primary.attrs["title"]) == ("P", "primary")
    assert grid(g1, seen)[2] == ["G1.1 One front door for permits", "P", ""]
    page = matrix_page(editor_client, plan, "?goal=G2")
    supporting = goal_table(page).find("abbr")
    assert (supporting.text, supporting.attrs["title"]) == ("S", "supporting")
    assert goal_table(page).find("span", class_="usa-sr-only").text  # the column header's full title, spoken
    legend = squash(page.find("dl").text)
    assert "P primary" in legend and "S supporting" in legend


def test_headers_have_scopes(editor_client, org, plan):
    build_portfolio(org)
    for table in matrix_page(editor_client, plan).find_all("table"):
        assert {th.attrs.get("scope") for th in table.find("thead").find_all("th")} == {"col"}
        assert {th.attrs.get("scope") for th in table.find("tbody").find_all("th")} == {"row"}


def test_rows_are_indented_by_level(editor_client, org, plan):
    build_portfolio(org)
    g1 = goal_table(matrix_page(editor_client, plan))
    classes = [th.attrs["class"] for th in g1.find("tbody").find_all("th")]
    assert classes == ["padding-left-1", "padding-left-3", "padding-left-3", "padding-left-5"]


def test_the_matrix_follows_the_plans_scope(editor_client, org, plan):
    world = build_portfolio(org)
    editor_client.post(
        f"/plans/{plan.id}/scope",
        data={"objectives": [str(world.objectives["G2.1"].id)], "initiatives": [str(world.initiatives["INI-1"].id)]},
    )
    page = matrix_page(editor_client, plan)
    assert grid(goal_table(page)) == [
        ["Objective", "INI-1 Permit portal"],
        ["G2.1 Phishing-resistant sign-in, under G2", "supporting"],
    ]
    assert summary(page) == [["G2 Secure foundations Shown below", "1", "1", "0"]]


def test_deleted_and_other_organizations_initiatives_never_appear(editor_client, org, plan):
    world = build_portfolio(org)
    world.initiatives["INI-2"].deleted_at = utcnow()
    db.session.commit()
    other = create_org()
    stranger = b.initiative(other, "INI-9", title="Somebody else's project")
    b.link(stranger, world.objectives["G1.1"])
    page = matrix_page(editor_client, plan)
    assert "Form translation" not in squash(page.text)
    assert "Somebody else" not in squash(page.text)
    assert summary(page)[0][2] == "1"


def test_a_viewer_can_read_the_matrix_but_is_not_offered_the_scope_page(signed_in, org, plan):
    build_portfolio(org)
    viewer = signed_in(create_user(org=org, role=Role.VIEWER))
    page = viewer.get(f"/plans/{plan.id}/traceability").get_data(as_text=True)
    assert "Permit portal" in page
    assert f"/plans/{plan.id}/scope" not in page


def test_an_empty_plan_says_there_is_nothing_yet(editor_client, plan):
    page = matrix_page(editor_client, plan)
    assert page.find_all("table") == []
    assert "This plan covers no objectives yet." in squash(page.text)
    assert editor_client.get(f"/plans/{plan.id}/traceability?goal=G1").status_code == 404


def many_initiatives(org, count: int):  # type: ignore[no-untyped-def]
    """Goal G1 (objectives G1.1 and G1.2) served by ``count`` initiatives, written in bulk, each linked to both."""
    goal = b.objective(org, "G1", title="Digital services")
    first = b.objective(org, "G1.1", parent=goal, title="Permits online")
    second = b.objective(org, "G1.2", parent=goal, title="Forms online", position=1)
    ids = b.bulk_initiatives(org, count, prefix="INI")
    b.bulk(
        ObjectiveLink,
        [
            {"initiative_id": i, "objective_id": objective.id, "role": role}
            for i in ids
            for objective, role in ((first, "primary"), (second, "supporting"))
        ],
    )
    db.session.commit()


def column_codes(table: Element) -> list[str]:
    return [cell.split()[0] for cell in grid(table, seen)[0][1:]]


def test_a_goal_with_many_initiatives_shows_forty_columns_a_page_in_code_order(editor_client, org, plan):
    many_initiatives(org, 130)
    page = matrix_page(editor_client, plan)
    table = goal_table(page)
    assert column_codes(table) == [f"INI-{n:04d}" for n in range(1, 41)]
    assert squash(table.find("caption").text).endswith("initiatives 1–40 of 130")
    assert "Initiatives 1–40 of 130" in squash(page.text)
    assert summary(page) == [["G1 Digital services Shown below", "3", "130", "0"]]
    assert pages_nav(page) == {"Next initiatives": f"/plans/{plan.id}/traceability?goal=G1&page=2"}
    assert "Page 1 of 4" in squash(page.find("nav", class_="usa-pagination").text)

    page = matrix_page(editor_client, plan, "?goal=G1&page=2")
    assert column_codes(goal_table(page)) == [f"INI-{n:04d}" for n in range(41, 81)]
    assert "Initiatives 41–80 of 130" in squash(page.text)
    assert pages_nav(page) == {
        "Previous initiatives": f"/plans/{plan.id}/traceability?goal=G1&page=1",
        "Next initiatives": f"/plans/{plan.id}/traceability?goal=G1&page=3",
    }
    assert grid(goal_table(page), seen)[2][:3] == ["G1.1 Permits online", "P", "P"]
    assert grid(goal_table(page), seen)[3][:3] == ["G1.2 Forms online", "S", "S"]


def test_the_last_page_holds_the_rest_and_a_page_past_the_end_shows_the_last(editor_client, org, plan):
    many_initiatives(org, 130)
    for query in ("?goal=G1&page=4", "?goal=G1&page=99"):
        page = matrix_page(editor_client, plan, query)
        assert column_codes(goal_table(page)) == [f"INI-{n:04d}" for n in range(121, 131)]
        assert "Initiatives 121–130 of 130" in squash(page.text)
        assert list(pages_nav(page)) == ["Previous initiatives"]
    for query in ("?goal=G1&page=0", "?goal=G1&page=first"):  # not a page number: refused, naming the parameter
        response = editor_client.get(f"/plans/{plan.id}/traceability{query}")
        assert response.status_code == 400
        assert "“page” must be a whole number" in response.get_data(as_text=True)
