"""The portfolio list: filters, text search, sorting and pages, each kept in the links."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.portfolio import services
from app.portfolio.models import InitiativeStatus
from tests.plans.html import main_content
from tests.portfolio.factories import add_cost, create_initiative, create_objective, link, put_in_status
from tests.portfolio.helpers import page_text, table_rows


@pytest.fixture
def portfolio(org, editor):  # type: ignore[no-untyped-def]
    permits = create_initiative(
        org=org,
        user=editor,
        code="INI-0001",
        title="Online permits",
        category="transform",
        owner="Dana Ortiz",
        start_date=date(2026, 7, 1),
        end_date=date(2027, 6, 30),
    )
    exit_ = create_initiative(org=org, user=editor, code="INI-0002", title="Data centre exit", owner="Lee Wu")
    email = create_initiative(
        org=org,
        user=editor,
        code="INI-0003",
        title="Email platform renewal",
        category="run",
        owner="dana smith",
        summary="Keeps permit notices flowing (100% uptime).",
        start_date=date(2028, 1, 1),
    )
    cancelled = create_initiative(org=org, user=editor, code="INI-0004", title="Kiosks", category="run")
    add_cost(permits, user=editor, fiscal_year=2027, capital="100.10")
    add_cost(exit_, user=editor, fiscal_year=2029, capital="400", operating="100")
    put_in_status(exit_, InitiativeStatus.APPROVED)
    put_in_status(email, InitiativeStatus.IN_PROGRESS)
    put_in_status(cancelled, InitiativeStatus.CANCELLED)
    return permits, exit_, email, cancelled


def listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get(f"/initiatives{query}").get_data(as_text=True)
    tables = main_content(html).find_all("table")
    return [row[0] for row in table_rows(tables[0])] if tables else []


def test_the_list_shows_what_a_portfolio_manager_needs(editor_client, portfolio):
    html = editor_client.get("/initiatives").get_data(as_text=True)
    rows = table_rows(main_content(html).find("table"))
    assert rows[0] == [
        "INI-0001",
        "Online permits",
        "Transform",
        "Proposed",
        "Dana Ortiz",
        "1 Jul 2026 – 30 Jun 2027",
        "$100.10",
    ]
    assert rows[1] == ["INI-0002", "Data centre exit", "Change", "Approved", "Lee Wu", "Not set", "$500.00"]
    assert "4 initiatives; sorted by code, ascending" in page_text(html)


def test_portfolio_balance_counts_active_initiatives_by_category(editor_client, portfolio):
    assert "neither cancelled nor rejected: Run 1 · Change 1 · Transform 1" in page_text(
        editor_client.get("/initiatives").get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("?status=approved", ["INI-0002"], id="status"),
        pytest.param("?category=run", ["INI-0003", "INI-0004"], id="category"),
        pytest.param("?owner=DANA", ["INI-0001", "INI-0003"], id="owner-any-case"),
        pytest.param("?q=permit", ["INI-0001", "INI-0003"], id="text-in-title-or-summary"),
        pytest.param("?q=0002", ["INI-0002"], id="text-in-code"),
        pytest.param("?q=100%25", ["INI-0003"], id="percent-taken-literally"),
        pytest.param("?q=_", [], id="underscore-taken-literally"),
        pytest.param("?category=run&status=in_progress", ["INI-0003"], id="combined"),
        pytest.param("?status=launched", ["INI-0001", "INI-0002", "INI-0003", "INI-0004"], id="unknown-status-ignored"),
    ],
)
def test_filters(editor_client, portfolio, query, codes):
    assert listed(editor_client, query) == codes


@pytest.mark.parametrize(
    ("year", "codes"),
    [
        pytest.param(2026, [], id="before-anything"),
        pytest.param(2027, ["INI-0001"], id="dates-overlap"),
        pytest.param(2029, ["INI-0002", "INI-0003"], id="costed-or-still-running"),
    ],
)
def test_fiscal_year_filter_uses_costs_and_dates(editor_client, portfolio, year, codes):
    assert listed(editor_client, f"?fy={year}") == codes


def test_fiscal_year_follows_the_organizations_start_month(editor_client, org, portfolio):
    org.fiscal_year_start_month = 1  # calendar-year fiscal years: FY2026 is 2026
    db.session.commit()
    assert listed(editor_client, "?fy=2026") == ["INI-0001"]


def test_objective_filter(editor_client, org, editor, portfolio):
    permits, _, email, _ = portfolio
    objective = create_objective(org=org, code="G1")
    link(permits, objective, user=editor)
    link(email, objective, user=editor, role="supporting")
    create_objective(org=org, code="G2")
    assert listed(editor_client, f"?objective={objective.id}") == ["INI-0001", "INI-0003"]


def test_a_deleted_initiative_is_not_listed(editor_client, editor, portfolio):
    services.delete_initiative(portfolio[3], user=editor)
    db.session.commit()
    assert "INI-0004" not in listed(editor_client)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("?sort=title", ["INI-0002", "INI-0003", "INI-0004", "INI-0001"], id="title"),
        pytest.param("?sort=code&order=desc", ["INI-0004", "INI-0003", "INI-0002", "INI-0001"], id="code-desc"),
        pytest.param("?sort=cost&order=desc", ["INI-0002", "INI-0001", "INI-0004", "INI-0003"], id="cost-desc"),
        pytest.param("?sort=cost", ["INI-0003", "INI-0004", "INI-0001", "INI-0002"], id="cost"),
        pytest.param("?sort=status", ["INI-0001", "INI-0002", "INI-0003", "INI-0004"], id="status-in-lifecycle-order"),
        pytest.param("?sort=start", ["INI-0001", "INI-0003", "INI-0002", "INI-0004"], id="start-undated-last"),
        pytest.param("?sort=nonsense", ["INI-0001", "INI-0002", "INI-0003", "INI-0004"], id="unknown-sort-by-code"),
    ],
)
def test_sorting(editor_client, portfolio, query, codes):
    assert listed(editor_client, query) == codes


def test_column_headings_sort_and_keep_the_filters(editor_client, portfolio):
    html = editor_client.get("/initiatives?category=run&sort=cost").get_data(as_text=True)
    headings = {a.text.split(":")[0]: a.attrs["href"] for a in main_content(html).find("thead").find_all("a")}
    assert parse_qs(urlsplit(headings["Total cost"]).query) == {
        "category": ["run"],
        "sort": ["cost"],
        "order": ["desc"],
    }
    assert parse_qs(urlsplit(headings["Title"]).query) == {"category": ["run"], "sort": ["title"], "order": ["asc"]}
    sorted_heading = main_content(html).find("th", aria_sort="ascending")
    assert "Total cost" in sorted_heading.text


def test_pages_of_50_keep_the_filters_in_their_links(editor_client, org, editor):
    for n in range(1, 56):
        create_initiative(org=org, user=editor, code=f"RUN-{n:03d}", category="run")
    create_initiative(org=org, user=editor, code="CHG-001", category="change")
    first = editor_client.get("/initiatives?category=run&sort=code&order=desc").get_data(as_text=True)
    assert len(table_rows(main_content(first).find("table"))) == 50
    next_link = main_content(first).find("nav", aria_label="Pages of initiatives").find("a")
    assert next_link.text == "Next page"
    query = parse_qs(urlsplit(next_link.attrs["href"]).query)
    assert query == {"category": ["run"], "sort": ["code"], "order": ["desc"], "page": ["2"]}
    second = editor_client.get(next_link.attrs["href"]).get_data(as_text=True)
    assert [row[0] for row in table_rows(main_content(second).find("table"))] == [
        "RUN-005",
        "RUN-004",
        "RUN-003",
        "RUN-002",
        "RUN-001",
    ]
    assert "page 2 of 2" in page_text(second)


def test_no_match_says_how_to_see_everything(editor_client, portfolio):
    assert "No initiatives match these filters. Clear the filters" in page_text(
        editor_client.get("/initiatives?q=nothing-like-this").get_data(as_text=True)
    )


def test_filter_form_shows_the_chosen_filters(editor_client, portfolio):
    page = main_content(editor_client.get("/initiatives?q=permit&status=approved&fy=2027").get_data(as_text=True))
    assert page.by_id("q").attrs["value"] == "permit"
    assert page.by_id("fy").attrs["value"] == "2027"
    assert "selected" in page.by_id("status").find("option", value="approved").attrs
