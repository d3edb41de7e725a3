import pytest

from app.auth.models import Role
from app.plans.models import Plan, PlanSection
from tests.factories import create_org, create_plan, create_user
from tests.plans.helpers import fresh, save, section_url, sections_of
from tests.plans.html import main_content, parse, squash

REFUSAL = "This plan is approved; only draft plans can be changed."


@pytest.fixture
def approved(org, editor) -> Plan:
    return create_plan(org=org, owner=editor, status="approved")


def snapshot(plan: Plan) -> list[tuple[int, str, str, int, bool]]:
    return [(s.id, s.title, s.body, s.position, s.is_deleted) for s in fresh(Plan, plan.id).sections]


def action_targets(html: str) -> set[str]:
    page = main_content(html)
    return {a.attrs.get("href", "") for a in page.find_all("a")} | {
        f.attrs.get("action", "") for f in page.find_all("form")
    }


def test_edit_page_of_an_approved_plan_is_refused_with_a_message(editor_client, approved):
    section = sections_of(approved)[0]
    response = editor_client.get(section_url(section, "/edit"), follow_redirects=True)
    page = parse(response.get_data(as_text=True))
    assert REFUSAL in squash(page.text)
    assert not page.find_all("textarea")


def test_saving_into_an_approved_plan_changes_nothing_and_keeps_the_text(editor_client, approved):
    section = sections_of(approved)[0]
    before = snapshot(approved)
    response = save(editor_client, section, body="Late change nobody approved.")
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert REFUSAL in squash(page.text)
    assert page.by_id("body").text.strip() == "Late change nobody approved."
    assert snapshot(approved) == before


@pytest.mark.parametrize(
    ("path", "data"),
    [
        pytest.param("/move", {"direction": "down"}, id="move"),
        pytest.param("/delete", {}, id="remove"),
    ],
)
def test_section_actions_on_an_approved_plan_change_nothing(editor_client, approved, path, data):
    before = snapshot(approved)
    response = editor_client.post(section_url(sections_of(approved)[0], path), data=data, follow_redirects=True)
    assert REFUSAL in squash(parse(response.get_data(as_text=True)).text)
    assert snapshot(approved) == before


def test_adding_a_section_to_an_approved_plan_changes_nothing(editor_client, approved):
    before = snapshot(approved)
    editor_client.post(f"/plans/{approved.id}/sections", data={"title": "Extra"})
    assert snapshot(approved) == before


def test_overview_of_an_approved_plan_hides_edit_actions(editor_client, approved, plan):
    section = sections_of(approved)[0]
    approved_page = editor_client.get(f"/plans/{approved.id}").get_data(as_text=True)
    targets = action_targets(approved_page)
    assert section_url(section, "/edit") not in targets
    assert not any(t.endswith(("/move", "/delete", "/sections")) for t in targets)
    assert REFUSAL in squash(main_content(approved_page).text)
    draft_targets = action_targets(editor_client.get(f"/plans/{plan.id}").get_data(as_text=True))
    assert section_url(sections_of(plan)[0], "/edit") in draft_targets  # the same check sees them on a draft


def test_section_page_of_an_approved_plan_has_no_edit_button(editor_client, approved):
    section = sections_of(approved)[0]
    assert section_url(section, "/edit") not in action_targets(
        editor_client.get(section_url(section)).get_data(as_text=True)
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_viewers_and_reviewers_cannot_change_sections(signed_in, org, plan, role):
    client = signed_in(create_user(org=org, role=role))
    section = sections_of(plan)[0]
    before = snapshot(plan)
    assert client.get(section_url(section, "/edit")).status_code == 403
    assert save(client, section, body="Not mine to write.").status_code == 403
    assert client.post(section_url(section, "/move"), data={"direction": "down"}).status_code == 403
    assert client.post(section_url(section, "/delete")).status_code == 403
    assert client.post(f"/plans/{plan.id}/sections", data={"title": "Extra"}).status_code == 403
    assert client.post(section_url(section, "/revisions/1/restore"), data={"version": "1"}).status_code == 403
    assert snapshot(plan) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_viewers_and_reviewers_can_read_but_see_no_edit_actions(signed_in, org, plan, role):
    client = signed_in(create_user(org=org, role=role))
    section = sections_of(plan)[0]
    overview = client.get(f"/plans/{plan.id}")
    assert overview.status_code == 200
    assert section_url(section, "/edit") not in action_targets(overview.get_data(as_text=True))
    assert client.get(section_url(section)).status_code == 200


def test_restoring_a_removed_section_needs_the_editor_role(signed_in, editor_client, org, plan):
    section = sections_of(plan)[0]
    editor_client.post(section_url(section, "/delete"))
    viewer = signed_in(create_user(org=org, role=Role.VIEWER))
    assert viewer.post(section_url(section, "/restore")).status_code == 403
    assert fresh(PlanSection, section.id).is_deleted


def test_another_organizations_plan_answers_404(signed_in, plan):
    outsider = signed_in(create_user(org=create_org(), role=Role.EDITOR))
    section = sections_of(plan)[0]
    assert outsider.get(f"/plans/{plan.id}").status_code == 404
    assert outsider.get(section_url(section)).status_code == 404
    assert outsider.get(section_url(section, "/edit")).status_code == 404
    assert save(outsider, section, body="Cross-office write").status_code == 404
    assert fresh(PlanSection, section.id).body != "Cross-office write"
