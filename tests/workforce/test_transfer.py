"""Roles in and out of spreadsheets: export, round trip, and all-or-nothing refusals naming row and column."""

from __future__ import annotations

import io

from app.extensions import db
from app.workforce import services
from app.workforce.models import JobRole, RoleCapacity
from tests.plans.html import parse
from tests.portfolio.helpers import page_text, table_rows
from tests.workforce.conftest import Office


def problems_of(html: str) -> list[str]:
    return [" | ".join(cells) for cells in table_rows(parse(html).by_id("import-problems"))]


def upload(client, text: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(text.encode()), "roles.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/workforce/roles/import", data=data, content_type="multipart/form-data")


def test_export_is_one_row_per_role_per_year_with_formulas_neutralised(signed_in, office: Office):
    services.create_role(organization=office.org, user=office.editor, fields=services.RoleFields("=HYPERLINK(1)"))
    db.session.commit()
    response = signed_in(office.viewer).get("/workforce/roles/export.csv")
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert response.status_code == 200
    assert lines[0] == (
        "Role,Family,Description,Fiscal year,Filled FTE,Vacancies (FTE),Expected attrition (FTE),"
        "Baseline required FTE,Available capacity (FTE)"
    )
    assert "Cybersecurity analyst,Security,Watches,2028,20,3,2,15,18" in lines
    assert "'=HYPERLINK(1),,,,,,,," in lines


def test_an_exported_file_imports_unchanged_and_an_edited_one_updates_and_creates(signed_in, office: Office):
    client = signed_in(office.editor)
    exported = client.get("/workforce/roles/export.csv").get_data().decode("utf-8-sig")
    response = upload(client, exported)
    assert response.status_code == 200 and "Unchanged (1): Cybersecurity analyst" in page_text(
        response.get_data(as_text=True)
    )
    edited = exported.replace(",2028,20,3,2,15,18", ",2028,22,1,2,15,") + "Data engineer,Data,,2029,9,,,4,\r\n"
    response = upload(client, edited)
    text = page_text(response.get_data(as_text=True))
    assert (
        response.status_code == 200
        and "Created (1): Data engineer" in text
        and "Updated (1): Cybersecurity analyst" in text
    )
    db.session.expire_all()
    figures = db.session.scalar(db.select(RoleCapacity).where(RoleCapacity.role_id == office.role.id))
    assert (figures.current_fte, figures.vacancies) == (22, 1)  # type: ignore[union-attr]
    new = db.session.scalar(db.select(JobRole).where(JobRole.name == "Data engineer"))
    assert new is not None and [(c.fiscal_year, c.current_fte, c.vacancies) for c in new.capacities] == [(2029, 9, 0)]


def test_a_file_with_any_bad_row_imports_nothing_and_names_each_problem(signed_in, office: Office):
    client = signed_in(office.editor)
    text = (
        "Role,Family,Fiscal year,Filled FTE,Expected attrition (FTE),Head count\r\n"
        "New role,Data,2029,4,1,\r\n"
        ",Data,2029,4,1,\r\n"
        "New role,Other family,2030,lots,1,\r\n"
        "New role,Data,2029,3,5,\r\n"
    )
    response = upload(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = problems_of(html)
    assert any(
        problem.startswith("1 | Head count | Planwright does not know the column “Head count”.") for problem in problems
    )
    assert any(problem.startswith("3 | Role | Enter the role’s name, such as Cloud engineer.") for problem in problems)
    assert any(problem.startswith("4 | Family | Row 2 gives New role a different family.") for problem in problems)
    assert "4 | Filled FTE | Write the FTE as a number such as 12 or 2.5; “lots” is not a number." in problems
    assert "5 | Fiscal year | New role already has FY2029 on row 2. Put each year on one row." in problems
    assert db.session.scalar(db.select(JobRole).where(JobRole.name == "New role")) is None


def test_a_rule_broken_only_when_saving_still_writes_nothing(signed_in, office: Office):
    client = signed_in(office.editor)
    response = upload(client, "Role,Fiscal year,Filled FTE,Expected attrition (FTE)\r\nBrand new,2029,1,3\r\n")
    assert response.status_code == 422
    assert problems_of(response.get_data(as_text=True)) == [
        "2 | Expected attrition (FTE) | Expected attrition cannot be more than the filled FTE who could leave."
    ]
    assert db.session.scalar(db.select(JobRole).where(JobRole.name == "Brand new")) is None


def test_viewers_cannot_import_and_the_template_downloads(signed_in, office: Office):
    assert upload(signed_in(office.viewer), "Role\r\nX\r\n").status_code == 403
    template = signed_in(office.editor).get("/workforce/roles/import/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
