"""Importing KPI measurements: each row through the measurement rules of the KPI page (one per date, none in
the future, none before the baseline); any problem, or a dry run, writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.objectives.models import KpiMeasurement
from tests.factories import create_org, create_user
from tests.spreadsheets.factories import make_initiative, make_kpi, make_objective, measure
from tests.spreadsheets.helpers import (
    csv_file,
    csv_rows,
    events_since,
    last_event_id,
    page_text,
    problems,
    result_text,
    upload,
    xlsx_file,
)

URL = "/kpis/import"
HEADINGS = ["KPI id", "Objective or initiative code", "KPI name", "Date", "Value", "Note"]


def snapshot() -> list[int]:
    db.session.expire_all()
    return [db.session.scalar(select(func.count()).select_from(m)) or 0 for m in (KpiMeasurement, AuditEvent)]


def readings(kpi) -> list[tuple[date, Decimal, str]]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    rows = db.session.execute(
        select(KpiMeasurement.measured_on, KpiMeasurement.value, KpiMeasurement.note)
        .where(KpiMeasurement.kpi_id == kpi.id)
        .order_by(KpiMeasurement.measured_on)
    )
    return [(day, value, note) for day, value, note in rows]


@pytest.fixture
def kpis(org, editor):  # type: ignore[no-untyped-def]
    """A KPI on objective G1.1 measured on 2025-03-31, and one on initiative INI-0001."""
    goal = make_objective(org=org, user=editor, code="G1")
    objective = make_objective(org=org, user=editor, code="G1.1", parent=goal)
    on_objective = make_kpi(org=org, user=editor, objective=objective, name="Permits online")
    measure(on_objective, user=editor, on=date(2025, 3, 31), value="45")
    initiative = make_initiative(org=org, user=editor, code="INI-0001")
    on_initiative = make_kpi(
        org=org, user=editor, initiative=initiative, name="Portal uptime", baseline="99", target="99.9"
    )
    return on_objective, on_initiative


def test_measurements_are_recorded_by_kpi_id_or_by_code_and_name(editor, editor_client, kpis):
    on_objective, on_initiative = kpis
    rows = [
        [str(on_objective.id), "", "", "2025-06-30", "50.5", "From the ledger"],
        ["", "g1.1", "permits  ONLINE", "2025-09-30", "1,052.25", ""],
        ["", "INI-0001", "Portal uptime", "2025-06-30", "-0.5", "Outage"],
    ]
    before = last_event_id()
    response = upload(editor_client, URL, "readings.csv", csv_file(HEADINGS, *rows))
    assert response.status_code == 200, problems(response.get_data(as_text=True))
    result = result_text(response.get_data(as_text=True))
    assert "Imported: 3 created, 0 updated, 0 unchanged" in result
    assert "Permits online (G1.1) on 2025-09-30" in result
    assert readings(on_objective) == [
        (date(2025, 3, 31), Decimal("45"), ""),
        (date(2025, 6, 30), Decimal("50.5"), "From the ledger"),
        (date(2025, 9, 30), Decimal("1052.25"), ""),
    ]
    assert readings(on_initiative) == [(date(2025, 6, 30), Decimal("-0.5"), "Outage")]
    events = events_since(before)
    assert [e.action for e in events] == ["kpi.measurement"] * 3 + ["import.measurements"]
    assert all(e.actor_id == editor.id for e in events)


def test_an_excel_workbook_with_date_and_number_cells(editor_client, kpis):
    on_objective, _ = kpis
    workbook = xlsx_file(HEADINGS, [on_objective.id, None, None, date(2025, 6, 30), 50.25, None])
    assert upload(editor_client, URL, "readings.xlsx", workbook).status_code == 200
    assert readings(on_objective)[-1] == (date(2025, 6, 30), Decimal("50.25"), "")


def test_one_measurement_per_date_in_the_database_and_in_the_file(editor_client, kpis):
    on_objective, _ = kpis
    rows = [
        [str(on_objective.id), "", "", "2025-03-31", "46", ""],
        [str(on_objective.id), "", "", "2025-06-30", "47", ""],
        ["", "G1.1", "Permits online", "2025-06-30", "48", ""],
    ]
    before = snapshot()
    response = upload(editor_client, URL, "twice.csv", csv_file(HEADINGS, *rows))
    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == [
        (
            "2",
            "Date",
            "There is already a measurement for 2025-03-31 (value 45%). Each date holds one measurement: "
            "choose another date.",
        ),
        ("4", "Date", "Row 3 has a measurement of this KPI for the same date. Keep one of the two rows."),
    ]
    assert snapshot() == before


def test_dates_in_the_future_or_before_the_baseline_are_refused(editor_client, kpis):
    on_objective, _ = kpis
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = [[str(on_objective.id), "", "", tomorrow, "50", ""], [str(on_objective.id), "", "", "2024-12-31", "50", ""]]
    response = upload(editor_client, URL, "dates.csv", csv_file(HEADINGS, *rows))
    assert problems(response.get_data(as_text=True)) == [
        ("2", "Date", "A measurement cannot be dated in the future. Enter the date it describes."),
        ("3", "Date", "The baseline date is 2025-01-01; enter a date on or after it."),
    ]


def test_values_dates_and_kpis_that_cannot_be_used_are_all_listed(editor_client, kpis, signed_in):
    other = create_org(name="Another office")
    stranger = create_user(org=other, role=Role.EDITOR)
    foreign = make_kpi(org=other, user=stranger, objective=make_objective(org=other, user=stranger, code="X1"))
    rows = [
        [str(foreign.id), "", "", "2025-06-30", "50", ""],
        ["", "G1.1", "No such KPI", "30/06/2025", "50%", ""],
        ["", "", "", "2025-06-30", "", ""],
        ["abc", "", "", "2025-06-30", "50", "x" * 501],
    ]
    response = upload(editor_client, URL, "bad.csv", csv_file(HEADINGS, *rows))
    found = problems(response.get_data(as_text=True))
    assert found == [
        (
            "2",
            "KPI id",
            f"There is no KPI {foreign.id} in Office of the State CIO. Copy the id from the KPI download, "
            "or leave it blank.",
        ),
        ("3", "Date", "Enter the date as year-month-day, for example 2027-06-30."),
        (
            "3",
            "KPI name",
            "There is no KPI named “No such KPI” on G1.1 in Office of the State CIO. Check both against "
            "the KPI download.",
        ),
        ("3", "Value", "Enter a number such as 1250 or 1,250.5. Leave out the unit (it is set separately)."),
        ("4", "KPI id", "Enter the KPI id, or the objective or initiative code and KPI name."),
        ("4", "Value", "Enter the measured value, for example 72.5."),
        (
            "5",
            "KPI id",
            "There is no KPI abc in Office of the State CIO. Copy the id from the KPI download, or leave it blank.",
        ),
        ("5", "Note", "Use at most 500 characters."),
    ]


def test_a_dry_run_writes_nothing(editor_client, kpis):
    on_objective, _ = kpis
    before = snapshot()
    payload = csv_file(HEADINGS, [str(on_objective.id), "", "", "2025-06-30", "50", ""])
    response = upload(editor_client, URL, "check.csv", payload, dry_run=True)
    assert "Check finished: no problems found" in result_text(response.get_data(as_text=True))
    assert snapshot() == before


def test_a_kpi_download_with_date_and_value_columns_added_imports(editor_client, kpis):
    on_objective, on_initiative = kpis
    header, *rows = csv_rows(editor_client.get("/kpis/export.csv").data)
    filled = [[*row, "2025-12-31", "60"] for row in rows]
    response = upload(editor_client, URL, "kpis.csv", csv_file([*header, "Date", "Value"], *filled))
    assert response.status_code == 200, problems(response.get_data(as_text=True))
    assert readings(on_objective)[-1][:2] == readings(on_initiative)[-1][:2] == (date(2025, 12, 31), Decimal("60"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_names_one_of_the_organizations_kpis_and_imports(editor_client, kpis, fmt):
    template = editor_client.get(f"/kpis/import/template.{fmt}")
    assert template.status_code == 200
    if fmt == "csv":
        assert csv_rows(template.data)[0] == HEADINGS
        assert csv_rows(template.data)[1][1:3] == ["G1.1", "Permits online"]
    checked = upload(editor_client, URL, f"template.{fmt}", template.data, dry_run=True)
    assert checked.status_code == 200, problems(checked.get_data(as_text=True))
    assert "1 created" in result_text(checked.get_data(as_text=True))


def test_missing_columns_are_named(editor_client, kpis):
    response = upload(editor_client, URL, "cols.csv", csv_file(["KPI name", "Value"], ["Permits online", "1"]))
    assert problems(response.get_data(as_text=True)) == [
        (
            "1",
            "—",
            "Add the missing columns: Date, KPI id (or Objective or initiative code and KPI name). "
            "The template has them all.",
        ),
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_readers_may_not_import_measurements(org, signed_in, kpis, role):
    client = signed_in(create_user(org=org, role=role))
    before = snapshot()
    assert client.get(URL).status_code == 403
    payload = csv_file(HEADINGS, [str(kpis[0].id), "", "", "2025-06-30", "50", ""])
    assert upload(client, URL, "readings.csv", payload).status_code == 403
    assert snapshot() == before
    assert "/kpis/import" not in client.get("/objectives").get_data(as_text=True)


def test_editors_find_the_import_from_the_objectives_list(editor_client):
    assert 'href="/kpis/import"' in editor_client.get("/objectives").get_data(as_text=True)
    page = page_text(editor_client.get(URL).get_data(as_text=True))
    assert "Import KPI measurements" in page and "Check only (dry run)" in page
