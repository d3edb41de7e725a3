"""Downloads of initiatives, objectives and KPIs: safe cells, real numbers and dates, only the organization's
own live rows, safe headers, and one audit event per download."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest

from app.auth.models import Role
from app.exports.pages import attachment
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.status import is_stale
from app.portfolio import services as portfolio_services
from tests.factories import create_org, create_user
from tests.spreadsheets.factories import add_cost, link, make_initiative, make_kpi, make_objective, measure
from tests.spreadsheets.helpers import (
    ACTIVE,
    changes_of,
    csv_records,
    csv_rows,
    events_since,
    is_safe_csv_cell,
    last_event_id,
    xlsx_records,
    xlsx_sheet,
)
from tests.sql import statements_for

MALICIOUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "\0=1"]
EXPORTS = ["/initiatives/export", "/objectives/export", "/kpis/export"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def furnish(org, user, text: str):  # type: ignore[no-untyped-def]
    """An objective, an initiative serving it with costs, and a KPI with a negative baseline: ``text`` everywhere."""
    goal = make_objective(org=org, user=user, code="G1", title=text, owner=text)
    initiative = make_initiative(
        org=org, user=user, code="INI-0001", title=text, owner=text, sponsor=text, funding_source=text
    )
    add_cost(initiative, user=user, year=2027, capital="1250000.50", operating="99.99")
    link(initiative, goal, user=user)
    kpi = make_kpi(org=org, user=user, objective=goal, name=text, owner=text, unit="°C", baseline="-2.5", target="3")
    measure(kpi, user=user, on=date(2025, 6, 30), value="-1.25")
    return goal, initiative, kpi


@pytest.mark.parametrize("value", MALICIOUS, ids=repr)
@pytest.mark.parametrize("path", EXPORTS)
def test_csv_downloads_neutralise_formulas_and_keep_numbers(org, editor, editor_client, path, value):
    if "\0" in value and db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL in text, so such a value never reaches an export there")
    furnish(org, editor, value)
    rows = csv_rows(editor_client.get(f"{path}.csv").data)
    assert len(rows) == 2
    assert all(is_safe_csv_cell(cell) for row in rows for cell in row)
    assert rows[1].count("'" + value) >= 2, "title and owner are written with a leading apostrophe"
    record = dict(zip(rows[0], rows[1], strict=True))
    if path == "/kpis/export":
        assert (record["Baseline value"], record["Latest value"]) == ("-2.5", "-1.25")


@pytest.mark.parametrize("value", MALICIOUS, ids=repr)
@pytest.mark.parametrize("path", EXPORTS)
def test_excel_downloads_write_text_as_safe_strings_and_numbers_as_numbers(org, editor, editor_client, path, value):
    if "\0" in value and db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL in text, so such a value never reaches an export there")
    furnish(org, editor, value)
    (record,) = xlsx_records(editor_client.get(f"{path}.xlsx").data)
    text_cells = [cell for name, cell in record.items() if name in ("Title", "Owner", "KPI name", "Sponsor")]
    assert len(text_cells) >= 2
    for cell in text_cells:
        assert cell.data_type == "s" and cell.value.startswith("'")
    for cell in record.values():
        assert cell.data_type != "s" or not cell.value.startswith(ACTIVE), cell.coordinate
    numbers = {"/initiatives/export": "Total capital", "/objectives/export": "Depth", "/kpis/export": "Baseline value"}
    number = record[numbers[path]]
    assert number.data_type == "n" and number.value in (1250000.5, 1, -2.5)


def test_initiative_download_has_totals_per_year_dates_and_objective_codes(org, editor, editor_client):
    goal = make_objective(org=org, user=editor, code="G1")
    support = make_objective(org=org, user=editor, code="G2")
    initiative = make_initiative(
        org=org, user=editor, code="INI-0007", category="transform", start_date=date(2026, 7, 1)
    )
    add_cost(initiative, user=editor, year=2027, capital="1000.10", operating="0.20")
    add_cost(initiative, user=editor, year=2028, capital="5", operating="7.05")
    link(initiative, goal, user=editor)
    link(initiative, support, user=editor, role="supporting")
    make_initiative(org=org, user=editor, code="INI-0008", initiative_type="service_improvement")
    csv_first, csv_second = csv_records(editor_client.get("/initiatives/export.csv").data)
    assert csv_first["Category"] == "Transform" and csv_first["Status"] == "Proposed"
    assert (csv_first["Total capital"], csv_first["Total operating"]) == ("1005.10", "7.25")
    assert (csv_first["FY2027 total"], csv_first["FY2028 total"], csv_second["FY2027 total"]) == (
        "1000.30",
        "12.05",
        "",
    )
    assert (csv_first["Primary objective code"], csv_first["Supporting objective codes"]) == ("G1", "G2")
    assert (csv_first["Start date"], csv_first["End date"], csv_second["Type"]) == (
        "2026-07-01",
        "",
        "Service improvement",
    )
    first, _ = xlsx_records(editor_client.get("/initiatives/export.xlsx").data)
    assert first["Start date"].is_date and first["Start date"].value.date() == date(2026, 7, 1)
    assert first["FY2028 total"].value == 12.05 and "$" in first["FY2028 total"].number_format


def test_objective_and_kpi_downloads_carry_the_tree_counts_latest_value_and_status(org, editor, editor_client):
    goal = make_objective(org=org, user=editor, code="G1")
    child = make_objective(org=org, user=editor, code="G1.1", parent=goal)
    initiative = make_initiative(org=org, user=editor, code="INI-0003")
    link(initiative, child, user=editor)
    kpi = make_kpi(org=org, user=editor, objective=child)
    measure(kpi, user=editor, on=date(2025, 3, 31), value="45")
    measure(kpi, user=editor, on=date(2025, 12, 31), value="41")  # half the time gone, hardly any progress
    make_kpi(org=org, user=editor, initiative=initiative, name="Portal uptime", baseline="99", target="99.9")
    objectives = csv_records(editor_client.get("/objectives/export.csv").data)
    assert [(o["Code"], o["Parent code"], o["Depth"]) for o in objectives] == [("G1", "", "1"), ("G1.1", "G1", "2")]
    assert [(o["Number of initiatives"], o["Number of KPIs"]) for o in objectives] == [("0", "0"), ("1", "1")]
    assert objectives[0]["Policy source type"] == "Statute" and objectives[0]["Active from"] == "2025-07-01"
    kpis = csv_records(editor_client.get("/kpis/export.csv").data)
    assert [(k["Objective or initiative code"], k["KPI name"]) for k in kpis] == [
        ("G1.1", "Share of permits applied for online"),
        ("INI-0003", "Portal uptime"),
    ]
    assert (kpis[0]["KPI id"], kpis[0]["Latest value"], kpis[0]["Latest date"]) == (str(kpi.id), "41", "2025-12-31")
    stale = "Yes" if is_stale(kpi, date(2025, 12, 31), date.today()) else "No"  # the rule of app.objectives.status
    assert (kpis[0]["Status"], kpis[0]["Stale"], kpis[0]["Direction"]) == ("Off track", stale, "Higher is better")
    assert (kpis[1]["Status"], kpis[1]["Latest value"]) == ("No data", "")


def all_text(body: bytes, fmt: str) -> str:
    if fmt == "csv":
        return "\n".join(",".join(row) for row in csv_rows(body))
    return "\n".join(str(cell.value) for row in xlsx_sheet(body).iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_hold_only_the_organizations_own_live_rows(signed_in, fmt):
    own, other = create_org(name="Office A"), create_org(name="Office B")
    for org, canary in ((own, "CANARY-A"), (other, "CANARY-B")):
        user = create_user(org=org, role=Role.EDITOR)
        _, initiative, _ = furnish(org, user, f"Shared {canary}")
        gone = make_initiative(org=org, user=user, code="INI-0099", title=f"Deleted {canary}-GONE")
        portfolio_services.delete_initiative(gone, user=user)
        kpi_gone = make_kpi(org=org, user=user, initiative=initiative, name=f"Deleted {canary}-GONE")
        objective_services.delete_kpi(kpi_gone, user=user)
        db.session.commit()
    client = signed_in(create_user(org=own, role=Role.VIEWER))
    for path in EXPORTS:
        response = client.get(f"{path}.{fmt}")
        assert response.status_code == 200
        text = all_text(response.data, fmt)
        assert "CANARY-A" in text, path
        assert "CANARY-B" not in text and "GONE" not in text, path


def test_an_agency_downloads_its_own_objectives_not_its_parents(signed_in):
    state = create_org(name="State CIO")
    agency = create_org(name="Revenue", parent=state)
    make_objective(org=state, user=create_user(org=state, role=Role.EDITOR), code="S1", title="State goal")
    make_objective(org=agency, user=create_user(org=agency, role=Role.EDITOR), code="R1", title="Agency goal")
    for org, own, other in ((agency, "Agency goal", "State goal"), (state, "State goal", "Agency goal")):
        text = all_text(signed_in(create_user(org=org, role=Role.VIEWER)).get("/objectives/export.csv").data, "csv")
        assert own in text and other not in text


@pytest.mark.parametrize(("fmt", "content_type"), [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX_TYPE)])
@pytest.mark.parametrize(("path", "noun"), [(p, p.split("/")[1]) for p in EXPORTS])
def test_downloads_are_attachments_named_by_the_server_and_never_cached(editor_client, path, noun, fmt, content_type):
    response = editor_client.get(f"{path}.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    name = f"state-ocio-{noun}-{date.today():%Y-%m-%d}.{fmt}"
    assert response.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{name}; filename=\"{name}\""
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [*EXPORTS, "/initiatives/import/template", "/kpis/import/template"])
def test_only_csv_and_xlsx_exist(editor_client, path):
    for fmt in ("pdf", "CSV", "xls", "csv.exe", ""):
        assert editor_client.get(f"{path}.{fmt}").status_code == 404


HOSTILE = 'Plan "2027"\r\nSet-Cookie: stolen=1; – Ünïcode ✓.csv'


def test_a_hostile_file_name_cannot_break_the_header():
    value = attachment(HOSTILE)
    assert "\r" not in value and "\n" not in value
    encoded = value.split("filename*=UTF-8''", 1)[1].split(";", 1)[0]
    assert all(ch.isalnum() or ch in "%-._~" for ch in encoded)
    assert unquote(encoded) == 'Plan "2027"Set-Cookie: stolen=1; – Ünïcode ✓.csv'
    fallback = value.split('; filename="', 1)[1]
    assert fallback.endswith('"') and fallback[:-1].isascii() and '"' not in fallback[:-1]


def test_an_organization_slug_with_crlf_quotes_and_unicode_gives_a_safe_header(org, editor, editor_client):
    make_initiative(org=org, user=editor, code="INI-0001", title='Title with "quotes"\r\nand – ünïcode')
    org.slug = 'évil"\r\nX-Injected: 1'  # set directly: the service would refuse it
    db.session.commit()
    response = editor_client.get("/initiatives/export.csv")
    assert response.status_code == 200 and "X-Injected" not in response.headers
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''") and "\r" not in disposition
    assert unquote(disposition.split("''", 1)[1].split(";", 1)[0]).startswith('évil"X-Injected: 1-initiatives-')
    assert csv_records(response.data)[0]["Title"] == 'Title with "quotes"\r\nand – ünïcode'


@pytest.mark.parametrize(("path", "noun"), [(p, p.split("/")[1]) for p in EXPORTS])
def test_each_download_writes_one_audit_event(org, editor, editor_client, path, noun):
    furnish(org, editor, "Permits")
    before = last_event_id()
    assert editor_client.get(f"{path}.xlsx").status_code == 200
    (event,) = events_since(before)
    assert (event.action, event.actor_id, event.organization_id) == (f"export.{noun}", editor.id, org.id)
    assert (event.object_type, event.object_id) == ("organization", org.id)
    assert changes_of(event)["format"] == "xlsx" and changes_of(event)["rows"] == 1


def test_the_initiative_download_honours_the_list_filters_and_order(org, editor, editor_client):
    for code, title, category in (
        ("INI-0001", "Beta", "run"),
        ("INI-0002", "Alpha", "run"),
        ("INI-0003", "Gamma", "change"),
    ):
        make_initiative(org=org, user=editor, code=code, title=title, category=category)
    query = "category=run&sort=title&order=desc"
    listing = editor_client.get(f"/initiatives?{query}").get_data(as_text=True)
    assert f"/initiatives/export.csv?{query}".replace("&", "&amp;") in listing
    assert f"/initiatives/export.xlsx?{query}".replace("&", "&amp;") in listing
    before = last_event_id()
    rows = csv_records(editor_client.get(f"/initiatives/export.csv?{query}").data)
    assert [row["Title"] for row in rows] == ["Beta", "Alpha"]
    assert changes_of(events_since(before)[0])["filters"] == {"category": "run", "sort": "title", "order": "desc"}


def test_the_initiative_download_runs_the_same_statements_for_3_or_60_initiatives(signed_in):
    counts = []
    for size in (3, 60):
        org = create_org()
        editor = create_user(org=org, role=Role.EDITOR)
        goal = make_objective(org=org, user=editor, code="G1")
        for n in range(size):
            initiative = make_initiative(org=org, user=editor, code=f"INI-{n:04d}")
            add_cost(initiative, user=editor, year=2027 + n % 3, capital="10")
            link(initiative, goal, user=editor)
        client = signed_in(editor)
        counts.append([len(statements_for(client, f"{path}.xlsx")) for path in EXPORTS])
    assert counts[0] == counts[1]


def test_the_list_pages_link_to_the_downloads_for_every_reader(org, signed_in):
    client = signed_in(create_user(org=org, role=Role.VIEWER))
    make_initiative(org=org, user=create_user(org=org, role=Role.EDITOR), code="INI-0001")
    initiatives = client.get("/initiatives").get_data(as_text=True)
    objectives = client.get("/objectives").get_data(as_text=True)
    for page, path in (
        (initiatives, "/initiatives/export"),
        (objectives, "/objectives/export"),
        (objectives, "/kpis/export"),
    ):
        assert f'href="{path}.csv' in page and f'href="{path}.xlsx' in page
    assert "Download CSV" in initiatives and "Download Excel" in objectives
    assert "/initiatives/import" not in initiatives and "/kpis/import" not in objectives
