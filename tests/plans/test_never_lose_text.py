"""Principle 1: stale saves and validation errors come back with the user's text intact."""

import pytest

from app.auth.models import Role
from app.plans.models import PlanSection
from app.plans.services import MAX_SECTION_CHARS
from tests.factories import create_user
from tests.plans.helpers import fresh, section_url, sections_of
from tests.plans.html import Element, form_data, main_content, parse, squash, textarea_value

THEIRS = "Residents apply once online for every permit."
YOURS = "Residents apply once, online or by phone, for every licence."


def edit_form(client, section) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Open the edit page and return what its form would submit."""
    page = main_content(client.get(section_url(section, "/edit")).get_data(as_text=True))
    return form_data(page.find("form", action=section_url(section, "/edit")))


@pytest.fixture
def conflict(signed_in, editor_client, org, plan):  # type: ignore[no-untyped-def]
    """Two editors open the same section; A saves first, then B saves from the stale page."""
    section = sections_of(plan)[0]
    other = signed_in(create_user(org=org, role=Role.EDITOR, name="Bo Other"))
    form_a, form_b = edit_form(editor_client, section), edit_form(other, section)
    assert form_a["version"] == form_b["version"] == "1"
    assert editor_client.post(section_url(section, "/edit"), data={**form_a, "body": THEIRS}).status_code == 302
    response = other.post(section_url(section, "/edit"), data={**form_b, "body": YOURS})
    return section, other, response


def test_stale_save_answers_409_and_keeps_the_first_save(conflict):
    section, _, response = conflict
    assert response.status_code == 409
    assert fresh(PlanSection, section.id).body == THEIRS


def test_conflict_page_puts_your_text_in_the_editable_textarea(conflict):
    _, _, response = conflict
    page = main_content(response.get_data(as_text=True))
    editable = page.by_id("body")
    assert editable.tag == "textarea" and "readonly" not in editable.attrs
    assert textarea_value(editable) == YOURS


def test_conflict_page_shows_their_saved_text_and_who_saved_it(conflict):
    _, _, response = conflict
    page = main_content(response.get_data(as_text=True))
    theirs = page.by_id("theirs")
    assert "readonly" in theirs.attrs and textarea_value(theirs) == THEIRS
    assert "Erin Editor saved this section" in squash(page.text)


def test_conflict_page_shows_a_word_diff_between_the_two_texts(conflict):
    _, _, response = conflict
    diff = main_content(response.get_data(as_text=True)).find("div", class_="pw-diff")
    inserted = squash(" ".join(ins.text for ins in diff.find_all("ins")))
    deleted = squash(" ".join(d.text for d in diff.find_all("del")))
    assert "licence" in inserted and "phone," in inserted
    assert "permit." in deleted
    assert "apply" not in inserted + deleted  # unchanged words are not marked


def test_resubmitting_from_the_conflict_page_saves_your_text(conflict):
    section, other, response = conflict
    form = main_content(response.get_data(as_text=True)).find("form", action=section_url(section, "/edit"))
    data = form_data(form)
    assert data["version"] == str(fresh(PlanSection, section.id).version)
    assert other.post(section_url(section, "/edit"), data={**data, "save": "1"}).status_code == 302
    assert fresh(PlanSection, section.id).body == YOURS


def error_links(page: Element) -> dict[str, str]:
    summary = page.find("div", class_="usa-alert usa-alert--error margin-y-3")
    return {a.attrs["href"]: squash(a.text) for a in summary.find_all("a")}


@pytest.mark.parametrize(
    ("title", "body", "href", "message"),
    [
        pytest.param("", "My careful paragraph.", "#title", "Enter a title for this section.", id="empty-title"),
        pytest.param(
            "Vision",
            "x" * (MAX_SECTION_CHARS + 1),
            "#body",
            "Use at most 200,000 characters; split the section.",
            id="body-too-long",
        ),
        pytest.param(
            "Vision",
            "Pasted\x0bfrom a PDF.",
            "#body",
            "Remove the invisible control characters from this text (often pasted by mistake).",
            id="control-character-in-body",
        ),
        pytest.param(
            "Vi\x07sion",
            "My careful paragraph.",
            "#title",
            "Remove the invisible control characters from this text (often pasted by mistake).",
            id="control-character-in-title",
        ),
    ],
)
def test_validation_error_keeps_the_text_and_links_to_the_field(editor_client, plan, title, body, href, message):
    section = sections_of(plan)[0]
    before = fresh(PlanSection, section.id)
    body_before, version_before = before.body, before.version
    response = editor_client.post(
        section_url(section, "/edit"), data={"title": title, "body": body, "version": str(version_before), "save": "1"}
    )
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert error_links(page).get(href) == message
    assert page.find_all(id=href[1:]), "the error link must point at a field on the page"
    assert textarea_value(page.by_id("body")) == body
    assert page.by_id("title").attrs["value"] == title
    assert page.find("title").text.startswith("Error:")
    after = fresh(PlanSection, section.id)
    assert (after.body, after.version) == (body_before, version_before)


def test_edit_form_with_csrf_on_keeps_text_when_the_token_expired(app, editor_client, plan, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    section = sections_of(plan)[0]
    data = edit_form(editor_client, section)
    assert data.get("csrf_token"), "the edit form must carry a CSRF token"
    response = editor_client.post(
        section_url(section, "/edit"), data={**data, "csrf_token": "expired", "body": YOURS, "save": "1"}
    )
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert textarea_value(page.by_id("body")) == YOURS
    assert "Your text is kept below" in squash(page.text)
    resubmit = form_data(page.find("form", action=section_url(section, "/edit")))
    assert editor_client.post(section_url(section, "/edit"), data={**resubmit, "save": "1"}).status_code == 302
    assert fresh(PlanSection, section.id).body == YOURS


def test_conflict_page_can_be_resubmitted_with_csrf_on(app, signed_in, editor_client, org, plan, monkeypatch):
    other = signed_in(create_user(org=org, role=Role.EDITOR))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    section = sections_of(plan)[0]
    form_a, form_b = edit_form(editor_client, section), edit_form(other, section)
    assert editor_client.post(section_url(section, "/edit"), data={**form_a, "body": THEIRS}).status_code == 302
    response = other.post(section_url(section, "/edit"), data={**form_b, "body": YOURS})
    assert response.status_code == 409
    form = main_content(response.get_data(as_text=True)).find("form", action=section_url(section, "/edit"))
    assert other.post(section_url(section, "/edit"), data={**form_data(form), "save": "1"}).status_code == 302
    assert fresh(PlanSection, section.id).body == YOURS


def test_a_colleague_moving_or_removing_other_sections_does_not_block_your_save(signed_in, editor_client, org, plan):
    first, second, third = sections_of(plan)[:3]
    other = signed_in(create_user(org=org, role=Role.EDITOR, name="Bo Other"))
    form = edit_form(editor_client, second)
    move = {"direction": "up"}
    assert other.post(section_url(second, "/move"), data=move).status_code == 302
    assert other.post(section_url(third, "/delete")).status_code == 302
    assert other.post(section_url(third, "/restore")).status_code == 302
    response = editor_client.post(section_url(second, "/edit"), data={**form, "body": YOURS})
    assert response.status_code == 302
    assert fresh(PlanSection, second.id).body == YOURS
    assert [s.id for s in sections_of(plan)][:2] == [second.id, first.id]
