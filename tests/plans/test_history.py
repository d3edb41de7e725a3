import re

import pytest

from app.auth.models import Role
from app.extensions import db
from app.plans.models import PlanSection, SectionRevision
from tests.factories import create_user
from tests.plans.helpers import fresh, save, section_url, sections_of
from tests.plans.html import form_data, main_content, squash

FIRST = "We will move permits online."
SECOND = "We will move permits and licences online by FY2028."


def revisions(section: PlanSection) -> list[tuple[int, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        db.select(SectionRevision).where(SectionRevision.section_id == section.id).order_by(SectionRevision.number)
    )
    return [(r.number, r.body, r.author.name) for r in rows]


@pytest.fixture
def edited(signed_in, editor_client, org, plan):  # type: ignore[no-untyped-def]
    """Revision 1 is the starter text, 2 by Erin Editor, 3 by Bo Other."""
    section = sections_of(plan)[0]
    save(editor_client, section, body=FIRST)
    save(signed_in(create_user(org=org, role=Role.EDITOR, name="Bo Other")), section, body=SECOND)
    return section


def history_rows(client, section) -> list[list[str]]:  # type: ignore[no-untyped-def]
    page = main_content(client.get(section_url(section, "/history")).get_data(as_text=True))
    return [
        [squash(cell.text) for cell in row.find_all() if cell.tag in ("th", "td")][:2]
        for row in page.find("tbody").find_all("tr")
    ]


def test_history_lists_revisions_newest_first_with_their_authors(editor_client, edited):
    rows = history_rows(editor_client, edited)
    assert [author for _, author in rows] == ["Bo Other", "Erin Editor", "Erin Editor"]
    assert [re.match(r"\d+", number).group() for number, _ in rows] == ["3", "2", "1"]
    assert rows[0][0].startswith("3 (current)")


def test_compare_shows_the_words_added_and_removed(editor_client, edited):
    response = editor_client.get(section_url(edited, "/compare?from=2&to=3"))
    assert response.status_code == 200
    page = main_content(response.get_data(as_text=True))
    diff = page.find("div", class_="pw-diff")
    assert squash(" ".join(i.text for i in diff.find_all("ins"))) == "[added: and licences online by FY2028.]"
    assert squash(" ".join(d.text for d in diff.find_all("del"))) == "[removed: online.]"
    assert "5 words added (underlined), 1 word removed (struck through)." in squash(page.text)


def test_compare_without_two_revisions_goes_back_to_the_history(editor_client, edited):
    response = editor_client.get(section_url(edited, "/compare?from=2"), follow_redirects=True)
    assert "Choose two revisions to compare." in squash(main_content(response.get_data(as_text=True)).text)


def test_restoring_an_old_revision_adds_a_new_revision_with_its_text(editor_client, edited):
    before = revisions(edited)
    history = main_content(editor_client.get(section_url(edited, "/history")).get_data(as_text=True))
    form = history.by_id("restore-2")
    response = editor_client.post(form.attrs["action"], data=form_data(form), follow_redirects=True)
    assert "Restored the text of revision 2 as new revision 4." in squash(
        main_content(response.get_data(as_text=True)).text
    )
    after = revisions(edited)
    assert after[:3] == before  # history is never rewritten
    assert after[3][:2] == (4, FIRST)
    assert fresh(PlanSection, edited.id).body == FIRST


def test_restoring_with_a_stale_version_is_refused(editor_client, edited):
    before = revisions(edited)
    stale = fresh(PlanSection, edited.id).version - 1
    response = editor_client.post(
        section_url(edited, "/revisions/1/restore"), data={"version": str(stale)}, follow_redirects=True
    )
    assert "The section changed since you opened its history." in squash(
        main_content(response.get_data(as_text=True)).text
    )
    assert revisions(edited) == before
    assert fresh(PlanSection, edited.id).body == SECOND


def test_history_offers_no_restore_for_the_current_revision(editor_client, edited):
    history = main_content(editor_client.get(section_url(edited, "/history")).get_data(as_text=True))
    assert {f.attrs["id"] for f in history.find_all("form") if f.attrs.get("id", "").startswith("restore-")} == {
        "restore-1",
        "restore-2",
    }
