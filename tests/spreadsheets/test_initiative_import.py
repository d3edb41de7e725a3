"""Importing initiatives: new codes are created, known codes updated, all through the services; any problem
(or a dry run) writes nothing; every problem is listed by row and column with what to do."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.exports.spreadsheets import MAX_FILE_BYTES
from app.extensions import db
from app.portfolio import services
from app.portfolio.models import Initiative, InitiativeCost, InitiativeStatus, ObjectiveLink
from tests.factories import create_org, create_user
from tests.spreadsheets.factories import add_cost, link, make_initiative, make_objective
from tests.spreadsheets.helpers import (
    changes_of,
    csv_file,
    csv_records,
    events_since,
    last_event_id,
    page_text,
    problems,
    result_text,
    upload,
    xlsx_file,
)

URL = "/initiatives/import"
HEADINGS = [
    "Code",
    "Title",
    "Category",
    "Type",
    "Owner",
    "Start date",
    "End date",
    "FY2027 capital",
    "FY2027 operating",
    "FY2028 capital",
    "Primary objective code",
    "Supporting objective codes",
]


def snapshot() -> list[int]:
    """How many initiatives, costs, links and audit events there are."""
    db.session.expire_all()
    models = (Initiative, InitiativeCost, ObjectiveLink, AuditEvent)
    return [db.session.scalar(select(func.count()).select_from(model)) or 0 for model in models]


def fresh(code: str) -> Initiative:
    db.session.expire_all()
    initiative = db.session.scalar(select(Initiative).where(Initiative.code == code))
    assert initiative is not None, code
    return initiative


def costs_of(initiative: Initiative) -> dict[int, tuple[Decimal, Decimal]]:
    return {cost.fiscal_year: (cost.capital, cost.operating) for cost in initiative.costs}


def links_of(initiative: Initiative) -> set[tuple[str, str, str]]:
    return {(link.objective.code, link.role, link.rationale) for link in initiative.objective_links}


@pytest.fixture
def office(org, editor):  # type: ignore[no-untyped-def]
    """Objectives G1 and G2, and INI-0001 with FY2027 costs, serving G2 in support."""
    goals = make_objective(org=org, user=editor, code="G1"), make_objective(org=org, user=editor, code="G2")
    existing = make_initiative(org=org, user=editor, code="INI-0001", title="Old title", owner="Old owner")
    add_cost(existing, user=editor, year=2027, capital="100.00", operating="5.00")
    link(existing, goals[1], user=editor, role="supporting")
    return goals, existing


ROWS = [
    [
        "INI-0001",
        "New title",
        "Run",
        "Project",
        "New owner",
        "2026-07-01",
        "2027-06-30",
        "1,250,000.10",
        "0.01",
        "",
        "G1",
        "",
    ],
    [
        "ini-0100",
        "Digital permits",
        "Transform",
        "Service improvement",
        "Pat",
        "",
        "",
        "0.10",
        "0.20",
        "999999999999.99",
        "G2",
        "G1",
    ],
]


def assert_imported(editor) -> None:  # type: ignore[no-untyped-def]
    updated, created = fresh("INI-0001"), fresh("INI-0100")
    assert (updated.title, updated.owner, updated.category) == ("New title", "New owner", "run")
    assert (updated.start_date, updated.end_date) == (date(2026, 7, 1), date(2027, 6, 30))
    assert costs_of(updated) == {2027: (Decimal("1250000.10"), Decimal("0.01"))}
    assert links_of(updated) == {("G1", "primary", "")}, "the supporting link to G2 is replaced: that column is empty"
    assert (created.status, created.category, created.initiative_type) == (
        "proposed",
        "transform",
        "service_improvement",
    )
    assert created.created_by_id == editor.id
    assert costs_of(created) == {
        2027: (Decimal("0.10"), Decimal("0.20")),
        2028: (Decimal("999999999999.99"), Decimal("0.00")),
    }
    assert links_of(created) == {("G2", "primary", ""), ("G1", "supporting", "")}


def test_a_csv_file_creates_new_codes_and_updates_known_ones_to_the_cent(editor, editor_client, office):
    before = last_event_id()
    response = upload(editor_client, URL, "portfolio.csv", csv_file(HEADINGS, *ROWS))
    assert response.status_code == 200, page_text(response.get_data(as_text=True))
    result = result_text(response.get_data(as_text=True))
    assert "Imported: 1 created, 1 updated, 0 unchanged" in result
    assert "Created (1): INI-0100" in result and "Updated (1): INI-0001" in result
    assert_imported(editor)
    actions = [event.action for event in events_since(before)]
    assert actions.count("initiative.create") == 1 and actions.count("initiative.update") == 1
    assert {"initiative.cost.create", "initiative.cost.update", "initiative.objective.link"} <= set(actions)
    assert "initiative.objective.unlink" in actions and actions[-1] == "import.initiatives"
    summary = events_since(before)[-1]
    assert summary.actor_id == editor.id and changes_of(summary)["created"] == ["INI-0100"]


def test_an_excel_workbook_with_number_and_date_cells_imports_the_same(editor, editor_client, office):
    rows = [
        [
            "INI-0001",
            "New title",
            "Run",
            "Project",
            "New owner",
            date(2026, 7, 1),
            date(2027, 6, 30),
            1250000.1,
            0.01,
            None,
            "G1",
            None,
        ],
        [
            "ini-0100",
            "Digital permits",
            "Transform",
            "Service improvement",
            "Pat",
            None,
            None,
            0.1,
            0.2,
            999999999999.99,
            "G2",
            "G1",
        ],
    ]
    response = upload(editor_client, URL, "portfolio.xlsx", xlsx_file(HEADINGS, *rows))
    assert response.status_code == 200, page_text(response.get_data(as_text=True))
    assert_imported(editor)


def test_a_dry_run_checks_everything_and_writes_nothing(editor_client, office):
    before = snapshot()
    response = upload(editor_client, URL, "portfolio.csv", csv_file(HEADINGS, *ROWS), dry_run=True)
    assert response.status_code == 200
    result = result_text(response.get_data(as_text=True))
    assert "Check finished: no problems found" in result and "1 created, 1 updated, 0 unchanged" in result
    assert "Would be created (1): INI-0100" in result and "Nothing has been saved" in result
    assert snapshot() == before
    assert fresh("INI-0001").title == "Old title"


def test_one_bad_row_among_fifty_writes_nothing_and_names_its_row_and_column(editor_client, office):
    rows = [
        [f"INI-{n:04d}", f"Initiative {n}", "Change", "Project", "", "2026-07-01", "2027-06-30", "10", "1", "", "", ""]
        for n in range(200, 250)
    ]
    rows[29][6] = "2026-01-01"  # row 31 of the spreadsheet ends before it starts
    before = snapshot()
    response = upload(editor_client, URL, "fifty.csv", csv_file(HEADINGS, *rows))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert problems(html) == [("31", "End date", "The end date must be the same as or after the start date.")]
    assert "Nothing was imported: 1 problem to fix" in result_text(html)
    assert snapshot() == before


def test_every_problem_is_listed_with_the_same_messages_as_the_form(editor_client, office):
    rows = [
        ["INI 9", "", "Sideways", "Mission", "", "07/01/2026", "", "12,34", "-5", "1e6", "G9", ""],
        ["INI-0101", "Fine", "Run", "Project", "", "", "", "", "", "", "G1", "g1"],
    ]
    response = upload(editor_client, URL, "bad.csv", csv_file(HEADINGS, *rows))
    assert response.status_code == 422
    found = problems(response.get_data(as_text=True))
    assert found == [
        ("2", "Category", "Choose Run, Change or Transform."),
        ("2", "Code", "Use only letters, digits, dots and hyphens in the code, such as INI-0026."),
        ("2", "FY2027 capital", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("2", "FY2027 operating", "Enter an amount of zero or more; costs cannot be negative."),
        ("2", "FY2028 capital", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        (
            "2",
            "Primary objective code",
            "There is no objective G9 in Office of the State CIO. Check the code on the Objectives page.",
        ),
        ("2", "Start date", "Enter the start date as a date such as 2026-07-01."),
        ("2", "Title", "Enter a title for the initiative."),
        ("2", "Type", "Choose a type from the list. Write Project, Programme or Service improvement."),
        ("3", "Supporting objective codes", "G1 is listed twice. List it once."),
    ]
    typed = {"code": "INI 9", "title": "", "category": "sideways", "initiative_type": "mission"}
    typed["start_date"] = "07/01/2026"
    form = editor_client.post("/initiatives/new", data=typed)
    amounts = {"cost-fiscal_year": "2029", "cost-capital": "12,34", "cost-operating": "-5"}
    cost = editor_client.post(f"/initiatives/{office[1].id}/costs", data=amounts)
    shown = form.get_data(as_text=True) + cost.get_data(as_text=True)
    for _, column, message in found:
        if "objective" not in column:  # the form offers objectives as a list to choose from
            assert message.removesuffix(" Write Project, Programme or Service improvement.") in shown, message


def test_codes_twice_in_the_file_are_refused(editor_client, office):
    rows = [["INI-0100", "First", "Run"], ["INI-0101", "Other", "Run"], ["ini-0100", "Again", "Change"]]
    response = upload(editor_client, URL, "twice.csv", csv_file(["Code", "Title", "Category"], *rows))
    assert problems(response.get_data(as_text=True)) == [
        ("4", "Code", "INI-0100 is also on row 2. Put each initiative on one row only.")
    ]


def test_headings_it_does_not_know_and_a_missing_code_column(editor_client, office):
    headings = ["Code", "Title", "Category", "Sponser", "FY1999 capital"]
    response = upload(editor_client, URL, "h.csv", csv_file(headings, ["X", "Y", "Run", "Z", "1"]))
    found = problems(response.get_data(as_text=True))
    assert [(row, column) for row, column, _ in found] == [("1", "FY1999 capital"), ("1", "Sponser")]
    assert "does not know the column “Sponser”" in found[1][2]
    response = upload(editor_client, URL, "h.csv", csv_file(["Title"], ["Y"]))
    assert problems(response.get_data(as_text=True)) == [
        ("1", "Code", "Add a column headed Code with each initiative’s code, such as INI-0026.")
    ]


def test_status_is_read_not_changed_by_an_import(editor_client, office):
    rows = [["INI-0001", "Proposed", "Run", "T"], ["INI-0002", "Approved", "Run", "T"], ["INI-0003", "", "Run", "T"]]
    headings = ["Code", "Status", "Category", "Title"]
    response = upload(editor_client, URL, "s.csv", csv_file(headings, *rows), dry_run=True)
    assert problems(response.get_data(as_text=True)) == [
        ("3", "Status", "New initiatives start as proposed. Write Proposed or leave the cell blank."),
    ]
    problem = upload(editor_client, URL, "s.csv", csv_file(["Code", "Status"], ["INI-0001", "Cancelled"]))
    assert problems(problem.get_data(as_text=True))[0][2].startswith("Statuses change on the initiative’s page")
    assert fresh("INI-0001").status == "proposed"


def test_the_code_of_a_deleted_initiative_is_refused_as_the_form_refuses_it(editor, editor_client, office):
    gone = make_initiative(org=office[1].organization, user=editor, code="INI-0066")
    services.delete_initiative(gone, user=editor)
    db.session.commit()
    response = upload(editor_client, URL, "d.csv", csv_file(["Code", "Title", "Category"], ["INI-0066", "Back", "Run"]))
    assert problems(response.get_data(as_text=True)) == [
        ("2", "Code", "INI-0066 is already used by another initiative. Choose another code.")
    ]


def test_a_role_change_keeps_the_rationale_and_a_missing_column_keeps_the_links(editor_client, office):
    payload = csv_file(["Code", "Primary objective code"], ["INI-0001", "G2"])
    assert upload(editor_client, URL, "r.csv", payload).status_code == 200
    assert links_of(fresh("INI-0001")) == {("G2", "primary", "Because")}
    assert upload(editor_client, URL, "r.csv", csv_file(["Code", "Owner"], ["INI-0001", "Sam"])).status_code == 200
    assert links_of(fresh("INI-0001")) == {("G2", "primary", "Because")} and fresh("INI-0001").owner == "Sam"


def test_blank_cost_cells_keep_what_is_saved(editor_client, office):
    payload = csv_file(["Code", "FY2027 capital", "FY2027 operating"], ["INI-0001", "", "7.5"])
    assert "1 updated" in result_text(upload(editor_client, URL, "c.csv", payload).get_data(as_text=True))
    assert costs_of(fresh("INI-0001")) == {2027: (Decimal("100.00"), Decimal("7.50"))}


def test_an_objective_of_the_parent_organization_can_be_served(signed_in):
    state = create_org(name="State CIO")
    agency = create_org(name="Revenue", parent=state)
    make_objective(org=state, user=create_user(org=state, role=Role.EDITOR), code="S1")
    client = signed_in(create_user(org=agency, role=Role.EDITOR))
    payload = csv_file(["Code", "Title", "Category", "Primary objective code"], ["INI-0001", "Filing", "Run", "s1"])
    assert upload(client, URL, "p.csv", payload).status_code == 200
    assert links_of(fresh("INI-0001")) == {("S1", "primary", "")}


def test_a_file_over_5_mb_is_refused_with_a_clear_message(editor_client, office):
    before = snapshot()
    big = csv_file(["Code", "Title"]) + b"INI-0900,Padding padding padding\r\n" * (MAX_FILE_BYTES // 34 + 10)
    response = upload(editor_client, URL, "big.csv", big)
    assert response.status_code == 422
    assert "The file is larger than 5 MB" in page_text(response.get_data(as_text=True))
    assert snapshot() == before


def test_something_that_is_not_a_spreadsheet_is_refused(editor_client, office):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    for name in ("picture.csv", "picture.xlsx"):
        response = upload(editor_client, URL, name, png)
        assert response.status_code == 422
        assert "This file is not a CSV or Excel workbook" in page_text(response.get_data(as_text=True))
    response = editor_client.post(URL, data={}, content_type="multipart/form-data")
    assert "Choose a CSV (.csv) or Excel (.xlsx) file to import." in page_text(response.get_data(as_text=True))


def test_formulas_in_a_workbook_are_reported_not_calculated(editor_client, office):
    before = snapshot()
    workbook = xlsx_file(
        ["Code", "Title", "Category", "FY2027 capital"],
        ["INI-0100", '=HYPERLINK("http://127.0.0.1:9","Click")', "Run", "=1000*2"],
    )
    response = upload(editor_client, URL, "formulas.xlsx", workbook)
    found = problems(response.get_data(as_text=True))
    assert [(row, column) for row, column, _ in found] == [("2", "FY2027 capital"), ("2", "Title"), ("2", "Title")]
    assert "formulas are not calculated" in found[0][2] and "formulas are not calculated" in found[2][2]
    assert found[1][2] == "Enter a title for the initiative."
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_downloaded_list_imports_back_without_changing_anything(org, editor, editor_client, office, fmt):
    goals, existing = office
    link(existing, goals[0], user=editor)
    add_cost(existing, user=editor, year=2028, capital="0.01", operating="1234567.89")
    make_initiative(
        org=org,
        user=editor,
        code="INI-0002",
        title="=cmd|' /C calc'!A0",
        owner="-2+3",
        initiative_type="programme",
        start_date=date(2026, 1, 31),
        funding_source="'quoted",
    )
    moving = make_initiative(org=org, user=editor, code="INI-0003", title="Ünïcode, “quotes” and\na new line")
    moving.status = InitiativeStatus.IN_PROGRESS.value
    db.session.commit()
    exported = editor_client.get(f"/initiatives/export.{fmt}").data
    before, last = snapshot(), last_event_id()
    response = upload(editor_client, URL, f"initiatives.{fmt}", exported)
    assert response.status_code == 200, problems(response.get_data(as_text=True))
    assert "Imported: 0 created, 0 updated, 3 unchanged" in result_text(response.get_data(as_text=True))
    assert [event.action for event in events_since(last)] == ["import.initiatives"]
    assert snapshot()[:3] == before[:3]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_headings_and_an_example_row_that_imports(org, editor, editor_client, office, fmt):
    response = editor_client.get(f"/initiatives/import/template.{fmt}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        (example,) = csv_records(response.data)
        assert example["Code"] == "INI-0002" and example["Primary objective code"] == "G1"
        assert any(heading.endswith(" capital") for heading in example)
    checked = upload(editor_client, URL, f"template.{fmt}", response.data, dry_run=True)
    assert checked.status_code == 200, problems(checked.get_data(as_text=True))
    assert "1 created, 0 updated, 0 unchanged" in result_text(checked.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_readers_may_not_import(org, signed_in, office, role):
    client = signed_in(create_user(org=org, role=role))
    before = snapshot()
    assert client.get(URL).status_code == 403
    assert upload(client, URL, "portfolio.csv", csv_file(HEADINGS, *ROWS)).status_code == 403
    assert snapshot() == before


def test_editors_find_the_import_page_from_the_list(editor_client):
    listing = editor_client.get("/initiatives").get_data(as_text=True)
    assert 'href="/initiatives/import"' in listing
    page = editor_client.get(URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "Check only (dry run)" in page
    assert 'href="/initiatives/import/template.csv"' in page and 'href="/initiatives/import/template.xlsx"' in page


def saved_formula_workbook(*extra: str) -> bytes:
    """INI-0100 whose FY2027 capital is a formula with the result Excel saved, and ``extra`` cells typed as text."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Code", "Title", "Category", "FY2027 capital", "FY2028 capital"][: 4 + len(extra)])
    sheet.write_row(1, 0, ["INI-0100", "=SUM(1)", "Run"])  # strings_to_formulas off: text, not a formula
    sheet.write_formula(1, 3, "=1000*2", None, 2000)
    sheet.write_row(1, 4, extra)
    workbook.close()
    return output.getvalue()


def test_a_saved_formula_result_is_used_and_text_that_looks_like_a_formula_stays_text(editor_client, office):
    response = upload(editor_client, URL, "saved.xlsx", saved_formula_workbook("=1+1"))
    assert problems(response.get_data(as_text=True)) == [
        ("2", "FY2028 capital", "Enter an amount in dollars, such as 1,250,000.50 or 1250000.")
    ]
    response = upload(editor_client, URL, "saved.xlsx", saved_formula_workbook())
    assert "formulas are not recalculated" in result_text(response.get_data(as_text=True))
    created = fresh("INI-0100")
    assert created.title == "=SUM(1)" and costs_of(created) == {2027: (Decimal("2000.00"), Decimal("0.00"))}


def test_a_nul_character_in_a_workbook_cell_is_refused_with_its_place(editor_client, office):

    before = snapshot()
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Code", "Title", "Category"])
    sheet.write_row(1, 0, ["INI-0100", "Broken\x00title", "Run"])  # xlsxwriter stores it as _x0000_
    book.close()
    response = upload(editor_client, URL, "nul.xlsx", output.getvalue())
    assert response.status_code == 422
    text = page_text(response.get_data(as_text=True))
    assert "Row 2, column 2 holds an invisible NUL character" in text
    assert snapshot() == before
