from app.extensions import db
from app.plans.models import PlanSection, SectionRevision
from tests.plans.helpers import fresh, save, section_url, sections_of
from tests.plans.html import main_content, parse, squash

MARKDOWN = """# Goals

We will **modernise** licensing.

- one
- two

| Goal | Lead |
|---|---|
| G1 Digital first | CIO office |
"""


def revision_numbers(section: PlanSection) -> list[int]:
    return list(
        db.session.scalars(
            db.select(SectionRevision.number)
            .where(SectionRevision.section_id == section.id)
            .order_by(SectionRevision.number)
        )
    )


def overview(client, plan):  # type: ignore[no-untyped-def]
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 200
    return main_content(response.get_data(as_text=True))


def section_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    table = page.find("table")
    return [squash(row.find("th").text) for row in table.find("tbody").find_all("tr")]


def row_of(page, section):  # type: ignore[no-untyped-def]
    row = page.by_id(f"section-{section.id}")
    return [squash(cell.text) for cell in row.find_all() if cell.tag in ("td", "th")]


def test_saving_a_section_adds_a_revision_each_time(editor_client, plan):
    section = sections_of(plan)[0]
    assert revision_numbers(section) == [1]  # the starter text
    assert save(editor_client, section, body="First draft.").status_code == 302
    assert save(editor_client, section, body="Second draft.").status_code == 302
    assert revision_numbers(section) == [1, 2, 3]
    assert fresh(PlanSection, section.id).body == "Second draft."


def test_save_redirects_to_the_section_saying_which_revision(editor_client, plan):
    section = sections_of(plan)[0]
    response = save(editor_client, section, body="New words.", title="Vision", ready=True)
    assert response.headers["Location"] == section_url(section)
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved “Vision” as revision 2." in squash(parse(page).text)


def test_saved_section_shows_rendered_markdown_with_a_table(editor_client, plan):
    section = sections_of(plan)[0]
    save(editor_client, section, body=MARKDOWN)
    body = main_content(editor_client.get(section_url(section)).get_data(as_text=True)).find(
        "div", class_="usa-prose pw-section-body"
    )
    assert squash(body.find("h3").text) == "Goals"
    assert body.find("strong").text == "modernise"
    assert [li.text for li in body.find("ul").find_all("li")] == ["one", "two"]
    table = body.find("table")
    assert [th.text for th in table.find_all("th")] == ["Goal", "Lead"]
    assert [td.text for td in table.find_all("td")] == ["G1 Digital first", "CIO office"]


def test_preview_shows_rendered_text_and_saves_nothing(editor_client, plan):
    section = sections_of(plan)[0]
    before = fresh(PlanSection, section.id)
    body_before, version_before = before.body, before.version
    response = save(editor_client, section, body=MARKDOWN, preview="1")
    assert response.status_code == 200
    page = main_content(response.get_data(as_text=True))
    preview = page.find("div", class_="usa-prose pw-preview-body")
    assert [th.text for th in preview.find("table").find_all("th")] == ["Goal", "Lead"]
    assert page.by_id("body").text.strip() == MARKDOWN.strip()
    after = fresh(PlanSection, section.id)
    assert (after.body, after.version) == (body_before, version_before)
    assert revision_numbers(section) == [1]


def test_preview_endpoint_returns_sanitised_html(editor_client, plan):
    section = sections_of(plan)[0]
    response = editor_client.post(
        section_url(section, "/preview"),
        data={"body": MARKDOWN + "\n<script>alert(1)</script>\n[x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    fragment = parse(html)
    assert [th.text for th in fragment.find("table").find_all("th")] == ["Goal", "Lead"]
    assert not fragment.find_all("script")
    assert "&lt;script&gt;" in html
    assert all(not (a.attrs.get("href") or "").startswith("javascript") for a in fragment.find_all("a"))
    assert fresh(PlanSection, section.id).body != MARKDOWN


def test_added_section_goes_last_and_opens_its_edit_page(editor_client, plan):
    response = editor_client.post(
        f"/plans/{plan.id}/sections", data={"title": "Accessibility", "guidance": "Which WCAG level?"}
    )
    added = sections_of(plan)[-1]
    assert added.title == "Accessibility"
    assert response.headers["Location"] == section_url(added, "/edit")
    edit = main_content(editor_client.get(response.headers["Location"]).get_data(as_text=True))
    assert squash(edit.find("h1").text) == "Edit “Accessibility”"
    assert "Which WCAG level?" in edit.find("aside").text
    assert section_titles(overview(editor_client, plan))[-1] == "Accessibility"


def test_adding_a_section_without_a_title_explains_why(editor_client, plan):
    count = len(sections_of(plan))
    response = editor_client.post(f"/plans/{plan.id}/sections", data={"title": ""}, follow_redirects=True)
    assert "Enter a title for the new section." in squash(parse(response.get_data(as_text=True)).text)
    assert len(sections_of(plan)) == count


def test_move_up_and_move_down_reorder_the_sections(editor_client, plan):
    first, second, third = sections_of(plan)[:3]
    editor_client.post(section_url(third, "/move"), data={"direction": "up"})
    assert section_titles(overview(editor_client, plan))[:3] == [first.title, third.title, second.title]
    editor_client.post(section_url(first, "/move"), data={"direction": "down"})
    assert section_titles(overview(editor_client, plan))[:3] == [third.title, first.title, second.title]


def test_moving_the_first_section_up_changes_nothing(editor_client, plan):
    titles = [s.title for s in sections_of(plan)]
    editor_client.post(section_url(sections_of(plan)[0], "/move"), data={"direction": "up"})
    assert section_titles(overview(editor_client, plan)) == titles


def test_removed_section_leaves_the_list_and_shows_under_removed_sections(editor_client, plan):
    section = sections_of(plan)[1]
    response = editor_client.post(section_url(section, "/delete"), follow_redirects=True)
    page = main_content(response.get_data(as_text=True))
    assert section.title not in section_titles(page)
    removed = page.by_id("removed-heading")
    assert removed.text == "Removed sections"
    removed_items = [squash(li.text) for li in page.find("ul", class_="usa-list").find_all("li")]
    assert any(item.startswith(section.title) for item in removed_items)


def test_restored_section_comes_back_last_with_its_text_and_history(editor_client, plan):
    section = sections_of(plan)[1]
    save(editor_client, section, body="Text worth keeping.")
    editor_client.post(section_url(section, "/delete"))
    response = editor_client.post(section_url(section, "/restore"), follow_redirects=True)
    page = main_content(response.get_data(as_text=True))
    assert section_titles(page)[-1] == section.title
    assert not page.find_all(id="removed-heading")
    assert fresh(PlanSection, section.id).body == "Text worth keeping."
    assert revision_numbers(section) == [1, 2]
    shown = main_content(editor_client.get(section_url(section)).get_data(as_text=True))
    assert "Text worth keeping." in shown.text


def test_overview_shows_state_words_and_last_editor_of_each_section(editor_client, plan):
    empty, drafting, ready = sections_of(plan)[:3]
    save(editor_client, empty, body="")
    save(editor_client, drafting, body="Three short words")
    save(editor_client, ready, body="Ready for the board now", ready=True)
    page = overview(editor_client, plan)
    assert row_of(page, empty)[2:4] == ["Empty", "0"]
    assert row_of(page, drafting)[2:4] == ["Drafting", "3"]
    assert row_of(page, ready)[2:4] == ["Ready", "5"]
    assert row_of(page, ready)[4].startswith("Erin Editor")
    assert row_of(page, sections_of(plan)[3])[4] == "Not yet edited"


def test_completeness_is_the_share_of_sections_marked_ready(editor_client, plan):
    assert "Completeness: 0%" in squash(overview(editor_client, plan).text)
    save(editor_client, sections_of(plan)[0], body="Done.", ready=True)
    page = overview(editor_client, plan)
    assert squash(page.by_id("completeness-heading").text) == "Completeness: 20%"
    assert page.find("progress").attrs["value"] == "20"


def test_removed_sections_do_not_count_towards_completeness(editor_client, plan):
    first, second = sections_of(plan)[:2]
    save(editor_client, first, body="Done.", ready=True)
    editor_client.post(section_url(second, "/delete"))
    assert squash(overview(editor_client, plan).by_id("completeness-heading").text) == "Completeness: 25%"


def test_plan_list_shows_ready_sections_and_the_time_of_the_last_section_save(editor_client, plan):
    section = sections_of(plan)[0]
    assert save(editor_client, section, body="Ready text.", ready=True).status_code == 302
    saved_at = fresh(PlanSection, section.id).updated_at
    row = squash(main_content(editor_client.get("/plans").get_data(as_text=True)).find("tbody").text)
    assert "1 of 5" in row
    assert saved_at.strftime("%-d %b %Y, %H:%M UTC") in row


def test_overview_links_to_the_plans_traceability_pages(editor_client, plan, signed_in, org):
    from app.auth.models import Role
    from tests.factories import create_user

    page = main_content(editor_client.get(f"/plans/{plan.id}").get_data(as_text=True))
    links = {a.attrs.get("href") for a in page.find_all("a")}
    for suffix in ("traceability", "gaps", "balance", "scope"):
        assert f"/plans/{plan.id}/{suffix}" in links
    viewer = signed_in(create_user(org=org, role=Role.VIEWER))
    viewer_links = {
        a.attrs.get("href") for a in main_content(viewer.get(f"/plans/{plan.id}").get_data(as_text=True)).find_all("a")
    }
    assert f"/plans/{plan.id}/gaps" in viewer_links and f"/plans/{plan.id}/scope" not in viewer_links
    for suffix in ("traceability", "gaps", "balance"):
        assert viewer.get(f"/plans/{plan.id}/{suffix}").status_code == 200
