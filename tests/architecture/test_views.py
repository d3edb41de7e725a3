"""The catalogue, standards and principle pages, and the architecture panel on the initiative page."""

from __future__ import annotations

from app.architecture.models import PrincipleAnswer, SharedService
from app.auth.models import Role
from app.extensions import db
from tests.architecture.factories import create_principle, create_service, create_standard, tie
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative
from tests.portfolio.helpers import error_messages, field_value, page_text


def service_form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "name": "Notify",
        "kind": "integration",
        "lifecycle": "build",
        "owner": "Digital Services team",
        "description": "SMS and email notices to residents.",
        **overrides,
    }


def test_an_editor_adds_a_service_that_everyone_in_the_office_then_reads(signed_in, org, editor, viewer):
    nist = create_standard(org=org, user=editor)
    client = signed_in(editor)
    response = client.post("/architecture/services/new", data=service_form(standards=[str(nist.id)]))
    assert response.status_code == 302
    service = db.session.scalar(db.select(SharedService))
    assert service is not None and service.lifecycle == "build"
    text = page_text(signed_in(viewer).get("/architecture/services").get_data(as_text=True))
    assert "Notify" in text and "NIST SP 800-53 Rev. 5" in text and "Add a service" not in text
    page = page_text(signed_in(viewer).get(f"/architecture/services/{service.id}").get_data(as_text=True))
    assert "SMS and email notices to residents." in page and "Edit" not in page


def test_a_refused_service_form_keeps_the_text_and_says_what_to_do(signed_in, org, editor):
    create_service(org=org, user=editor, name="Notify")
    client = signed_in(editor)
    response = client.post("/architecture/services/new", data=service_form(description="Keep this text"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_messages(html) == ["The catalogue already has “Notify”. Choose another name."]
    assert field_value(html, "description") == "Keep this text"
    response = client.post("/architecture/services/new", data=service_form(name="", kind=""))
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == [
        "Enter the service's name, such as Identity Hub.",
        "Choose the kind of service.",
    ]


def test_readers_are_refused_every_change(signed_in, org, editor, viewer, initiative):
    service = create_service(org=org, user=editor)
    principle = create_principle(org=org, user=editor)
    standard = create_standard(org=org, user=editor, name="OpenAPI 3.1")
    client = signed_in(viewer)
    for url in (
        "/architecture/services/new",
        f"/architecture/services/{service.id}/edit",
        f"/architecture/services/{service.id}/delete",
        "/architecture/principles/new",
        f"/architecture/principles/{principle.id}/edit",
        f"/architecture/standards/{standard.id}/edit",
        "/architecture/standards",
        f"/initiatives/{initiative.id}/services",
        f"/initiatives/{initiative.id}/principles/{principle.id}",
    ):
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    assert client.get("/architecture/principles").status_code == 200


def test_another_organizations_architecture_is_not_found(signed_in, org, editor, initiative):
    other = create_org()
    other_editor = create_user(org=other, role=Role.ADMIN)
    service = create_service(org=org, user=editor)
    principle = create_principle(org=org, user=editor)
    standard = create_standard(org=org, user=editor)
    tied = tie(initiative, service, user=editor)
    client = signed_in(other_editor)
    for url in (
        f"/architecture/services/{service.id}",
        f"/architecture/services/{service.id}/edit",
        f"/architecture/principles/{principle.id}/edit",
        f"/architecture/standards/{standard.id}/edit",
        f"/initiatives/{initiative.id}/principles/{principle.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/initiatives/{initiative.id}/services/{tied.id}/delete").status_code == 404
    assert "Identity Hub" not in client.get("/architecture/services").get_data(as_text=True)


def test_an_agency_reads_a_service_its_parent_shares_but_cannot_edit_it(signed_in, org, editor):
    agency = create_org(name="Department of Health IT", parent=org)
    agency_admin = create_user(org=agency, role=Role.ADMIN)
    service = create_service(org=org, user=editor, users=[agency])
    client = signed_in(agency_admin)
    listing = page_text(client.get("/architecture/services").get_data(as_text=True))
    assert "Identity Hub" in listing and "Shared by Office of the State CIO" in listing
    assert client.get(f"/architecture/services/{service.id}").status_code == 200
    assert client.get(f"/architecture/services/{service.id}/edit").status_code == 403


def test_the_panel_shows_ties_answers_and_unanswered_principles(signed_in, org, editor, viewer, initiative):
    service = create_service(org=org, user=editor)
    create_principle(org=org, user=editor, title="Cloud smart", position=1)
    reuse = create_principle(org=org, user=editor, title="Reuse before buy before build", position=2)
    client = signed_in(editor)
    response = client.post(
        f"/initiatives/{initiative.id}/services", data={"tie-service": str(service.id), "tie-relation": "reuses"}
    )
    assert response.headers["Location"].endswith(f"/initiatives/{initiative.id}#architecture")
    response = client.post(
        f"/initiatives/{initiative.id}/principles/{reuse.id}",
        data={"answer": "exception", "justification": "Federal grant requires the vendor's case tool."},
    )
    assert response.status_code == 302
    text = page_text(signed_in(viewer).get(f"/initiatives/{initiative.id}").get_data(as_text=True))
    assert "Reuses Identity Hub (security)" in text
    assert "1 of 2 principles answered, 1 exception. Unanswered: Cloud smart." in text
    assert "Exception Federal grant requires the vendor's case tool." in text


def test_an_exception_without_justification_is_refused_and_the_choice_kept(signed_in, org, editor, initiative):
    principle = create_principle(org=org, user=editor)
    response = signed_in(editor).post(
        f"/initiatives/{initiative.id}/principles/{principle.id}", data={"answer": "exception", "justification": " "}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_messages(html) == [
        "Explain why INI-0001 cannot follow “Reuse before buy before build”: an exception needs a justification."
    ]
    assert 'value="exception" checked' in html or 'checked value="exception"' in html or "checked" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(PrincipleAnswer)) == 0


def test_a_tie_without_a_service_is_refused_with_the_note_kept(signed_in, org, editor, initiative):
    create_service(org=org, user=editor)
    response = signed_in(editor).post(
        f"/initiatives/{initiative.id}/services", data={"tie-relation": "delivers", "tie-note": "Phase 2 only"}
    )
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == ["Choose a service from the list."]
    assert field_value(response.get_data(as_text=True), "tie-note") == "Phase 2 only"


def test_a_service_of_an_unrelated_organization_cannot_be_tied(signed_in, org, editor, initiative):
    other = create_org()
    foreign = create_service(org=other, user=create_user(org=other, role=Role.EDITOR))
    response = signed_in(editor).post(
        f"/initiatives/{initiative.id}/services", data={"tie-service": str(foreign.id), "tie-relation": "reuses"}
    )
    assert response.status_code == 404


def test_principles_are_listed_in_position_order_with_rationale(signed_in, org, editor, viewer):
    create_principle(org=org, user=editor, title="Secure by design", position=2)
    create_principle(org=org, user=editor, title="Cloud smart", position=1)
    text = page_text(signed_in(viewer).get("/architecture/principles").get_data(as_text=True))
    assert text.index("1. Cloud smart") < text.index("2. Secure by design")
    assert "Saves money." in text


def test_a_principle_edited_by_someone_else_meanwhile_is_a_conflict(signed_in, org, editor):
    principle = create_principle(org=org, user=editor)
    client = signed_in(editor)
    data = {"title": "Reuse first", "statement": "Reuse.", "position": "1", "version": str(principle.version)}
    assert client.post(f"/architecture/principles/{principle.id}/edit", data=data).status_code == 302
    response = client.post(f"/architecture/principles/{principle.id}/edit", data={**data, "statement": "Mine"})
    assert response.status_code == 409
    assert field_value(response.get_data(as_text=True), "statement") == "Mine"


def test_standards_are_added_and_refused_when_duplicated(signed_in, org, editor):
    client = signed_in(editor)
    assert client.post("/architecture/standards", data={"name": "WCAG 2.1 AA"}).status_code == 302
    response = client.post("/architecture/standards", data={"name": "wcag 2.1 aa", "reference": "Level AA"})
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == [
        "The standard “wcag 2.1 aa” is already in the list. Use that one or another name."
    ]


def test_a_deleted_initiative_keeps_no_panel_route(signed_in, org, editor):
    deleted = create_initiative(org=org, user=editor, code="INI-0009", title="Gone")
    from app.portfolio import services as portfolio_services

    portfolio_services.delete_initiative(deleted, user=editor)
    db.session.commit()
    principle = create_principle(org=org, user=editor)
    assert signed_in(editor).get(f"/initiatives/{deleted.id}/principles/{principle.id}").status_code == 404
