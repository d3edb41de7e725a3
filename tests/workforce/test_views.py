"""Workforce pages: who may read and change what, forms that keep what was typed, the capacity view and panel."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.workforce.models import InitiativeFteNeed, JobRole, Skill
from tests.factories import create_plan
from tests.portfolio.helpers import error_messages, field_value, page_text
from tests.workforce.conftest import Office, make_office


def read_pages(office: Office) -> list[str]:
    role, gap = office.role, office.gap
    return [
        "/workforce",
        f"/workforce/roles/{role.id}",
        "/workforce/skills",
        "/workforce/actions",
        "/workforce/capacity?fy=2028",
        f"/initiatives/{office.initiative.id}/fte-needs",
        f"/initiatives/{office.initiative.id}",
        f"/workforce/roles/{role.id}/gaps/{gap.id}/edit",
    ]


def test_viewers_read_every_page_without_edit_controls_and_are_refused_changes(signed_in, office: Office):
    client = signed_in(office.viewer)
    for url in read_pages(office)[:-1]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Add a role" not in page_text(response.get_data(as_text=True))
    assert client.get(read_pages(office)[-1]).status_code == 403
    role = office.role
    assert client.post("/workforce/roles/new", data={"name": "Spy"}).status_code == 403
    assert client.post(f"/workforce/roles/{role.id}/capacity", data={"capacity-fiscal_year": "2030"}).status_code == 403
    assert client.post(f"/workforce/roles/{role.id}/delete").status_code == 403
    need = {"need-role": str(role.id), "need-fiscal_year": "2030", "need-fte": "1"}
    assert client.post(f"/initiatives/{office.initiative.id}/fte-needs", data=need).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(JobRole)) == 1


def test_another_organizations_objects_are_not_found(signed_in, office: Office):
    other = make_office(name="County IT")
    client = signed_in(office.editor)
    for url in read_pages(other):
        if (
            not url.startswith("/workforce/capacity")
            and url != "/workforce"
            and "/skills" not in url
            and "/actions" not in url
        ):
            assert client.get(url).status_code == 404, url
    assert client.post(f"/workforce/roles/{other.role.id}/delete").status_code == 404
    gap_body = {
        "gap-skill": str(other.skill.id),
        "gap-current_level": "0",
        "gap-target_level": "2",
        "gap-priority": "low",
    }
    assert client.post(f"/workforce/roles/{office.role.id}/gaps", data=gap_body).status_code == 404
    need = {"need-role": str(other.role.id), "need-fiscal_year": "2030", "need-fte": "1"}
    assert client.post(f"/initiatives/{office.initiative.id}/fte-needs", data=need).status_code == 404
    assert (
        client.get(f"/workforce/capacity?plan={create_plan(org=other.org, owner=other.editor).id}").status_code == 404
    )
    body = client.get("/workforce").get_data(as_text=True)
    assert "County IT" not in body and db.session.get(JobRole, other.role.id) is not None


def test_a_refused_role_keeps_what_was_typed(signed_in, office: Office):
    client = signed_in(office.editor)
    typed = {"name": "cybersecurity ANALYST", "family": "Security", "description": "Runs the <SOC> & hunts threats"}
    response = client.post("/workforce/roles/new", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_messages(html) == [
        "There is already a role called “cybersecurity ANALYST”. Choose another name, or change that role."
    ]
    assert field_value(html, "name") == "cybersecurity ANALYST"
    assert field_value(html, "description") == "Runs the <SOC> & hunts threats"
    response = client.post("/workforce/roles/new", data={**typed, "name": "Threat hunter"})
    assert response.status_code == 302
    role = db.session.scalar(db.select(JobRole).where(JobRole.name == "Threat hunter"))
    assert role is not None and response.headers["Location"].endswith(f"/workforce/roles/{role.id}")


def test_a_stale_role_edit_answers_409_and_keeps_the_users_values(signed_in, office: Office):
    client = signed_in(office.editor)
    version = str(office.role.version)
    assert (
        client.post(f"/workforce/roles/{office.role.id}/edit", data={"name": "First", "version": version}).status_code
        == 302
    )
    response = client.post(f"/workforce/roles/{office.role.id}/edit", data={"name": "Second", "version": version})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this role" in html
    assert field_value(html, "name") == "Second"
    again = {"name": "Second", "version": field_value(html, "version")}
    assert client.post(f"/workforce/roles/{office.role.id}/edit", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(JobRole, office.role.id).name == "Second"  # type: ignore[union-attr]


def test_capacity_figures_that_break_a_rule_come_back_with_the_message_at_the_field(signed_in, office: Office):
    client = signed_in(office.editor)
    body = {"capacity-fiscal_year": "2029", "capacity-current_fte": "4", "capacity-attrition": "six"}
    response = client.post(f"/workforce/roles/{office.role.id}/capacity", data=body)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_messages(html) == ["Write the FTE as a number such as 12 or 2.5; “six” is not a number."]
    assert field_value(html, "capacity-attrition") == "six"
    body["capacity-attrition"] = "5"
    html = client.post(f"/workforce/roles/{office.role.id}/capacity", data=body).get_data(as_text=True)
    assert error_messages(html) == ["Expected attrition cannot be more than the filled FTE who could leave."]


def test_skills_catalogue_add_and_refuse_a_duplicate(signed_in, office: Office):
    client = signed_in(office.editor)
    assert client.post("/workforce/skills", data={"name": "Data pipelines", "category": "Data"}).status_code == 302
    response = client.post("/workforce/skills", data={"name": "zero TRUST", "category": "Typed category"})
    assert response.status_code == 422
    assert field_value(response.get_data(as_text=True), "category") == "Typed category"
    assert db.session.scalar(db.select(db.func.count()).select_from(Skill)) == 2


def test_capacity_view_highlights_the_shortfall_in_words_and_names_the_initiatives(signed_in, office: Office):
    client = signed_in(office.viewer)
    text = page_text(client.get("/workforce/capacity?fy=2028").get_data(as_text=True))
    assert "1 role short of people in FY2028: Cybersecurity analyst (short by 1 FTE)" in text
    assert "Short by 1 FTE" in text and "INI-0001 Zero Trust phase 1: 4 FTE" in text
    html = client.get("/workforce/capacity?fy=2028").get_data(as_text=True)
    assert '<svg role="img"' in html and "Capacity and demand by role in FY2028, in FTE" in html


def test_capacity_view_for_a_plan_counts_only_the_plans_initiatives(signed_in, office: Office):
    plan = create_plan(org=office.org, owner=office.editor)
    outside = make_office  # noqa: F841 - the plan chooses no initiatives until its scope is set below
    client = signed_in(office.editor)
    spare = client.post(f"/plans/{plan.id}/scope", data={"initiatives": [str(office.initiative.id)]})
    assert spare.status_code in (302, 303)
    other = db.session.scalar(
        db.select(InitiativeFteNeed).where(InitiativeFteNeed.initiative_id == office.initiative.id)
    )
    assert other is not None
    from tests.portfolio.factories import create_initiative

    extra = create_initiative(org=office.org, user=office.editor, code="INI-0050", title="Outside the plan")
    from app.workforce import needs

    needs.add_need(extra, user=office.editor, role=office.role, fiscal_year=2028, fte=Decimal("30"))
    db.session.commit()
    everything = page_text(client.get("/workforce/capacity?fy=2028").get_data(as_text=True))
    scoped = page_text(client.get(f"/workforce/capacity?fy=2028&plan={plan.id}").get_data(as_text=True))
    assert "INI-0050" in everything and "short by 31 FTE" in everything
    assert "INI-0050" not in scoped and "short by 1 FTE" in scoped


def test_an_editor_adds_an_fte_need_from_the_initiative_page(signed_in, office: Office):
    client = signed_in(office.editor)
    page = client.get(f"/initiatives/{office.initiative.id}").get_data(as_text=True)
    assert "People it needs" in page and "Add FTE need" in page
    body = {"need-role": str(office.role.id), "need-fiscal_year": "2029", "need-fte": "2.5"}
    response = client.post(f"/initiatives/{office.initiative.id}/fte-needs", data=body)
    assert response.status_code == 302 and response.headers["Location"].endswith("#workforce-needs")
    text = page_text(client.get(f"/initiatives/{office.initiative.id}").get_data(as_text=True))
    assert "FY2029 Cybersecurity analyst 2.5" in text


def test_a_refused_fte_need_keeps_what_was_typed(signed_in, office: Office):
    client = signed_in(office.editor)
    body = {"need-role": str(office.role.id), "need-fiscal_year": "2029", "need-fte": "lots"}
    response = client.post(f"/initiatives/{office.initiative.id}/fte-needs", data=body)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_value(html, "need-fte") == "lots" and field_value(html, "need-fiscal_year") == "2029"
    body["need-fiscal_year"], body["need-fte"] = "2028", "1"
    html = client.post(f"/initiatives/{office.initiative.id}/fte-needs", data=body).get_data(as_text=True)
    assert "INI-0001 already needs Cybersecurity analyst in FY2028. Change that row instead." in error_messages(html)


def test_a_chosen_id_the_database_cannot_hold_is_not_found_and_a_blank_one_is_a_form_error(signed_in, office: Office):
    client = signed_in(office.editor)
    gaps, needs_url = f"/workforce/roles/{office.role.id}/gaps", f"/initiatives/{office.initiative.id}/fte-needs"
    gap = {"gap-current_level": "0", "gap-target_level": "2", "gap-priority": "low"}
    need = {"need-fiscal_year": "2030", "need-fte": "1"}
    for made_up in ("2147483648", "14842796707", "0", "²"):  # past PostgreSQL's integers, no row, not int()-able
        assert client.post(gaps, data={**gap, "gap-skill": made_up}).status_code == 404, made_up
        assert client.post(needs_url, data={**need, "need-role": made_up}).status_code == 404, made_up
    blank_gap = client.post(gaps, data={**gap, "gap-skill": ""})
    assert blank_gap.status_code == 422
    assert "Choose a skill from the list." in error_messages(blank_gap.get_data(as_text=True))
    blank_need = client.post(needs_url, data={**need, "need-role": ""})
    assert blank_need.status_code == 422
    assert "Choose a role from the list." in error_messages(blank_need.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count()).select_from(InitiativeFteNeed)) == 1
    assert len(office.role.gaps) == 1
