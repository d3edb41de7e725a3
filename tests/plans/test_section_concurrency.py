"""Saves that meet: any change to a section makes older forms stale, and two editors saving different sections of a
plan that is with a board at the same moment both succeed.

Before: a "ready for review" tick saved alone left the section's version as it was, so a later save from a form
opened before it silently put the tick back; and every editor's first save after a submission rewrote the plan row
under its version check, so the second of two simultaneous saves failed with a 500 on PostgreSQL.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.plans import services
from app.plans.models import Plan, PlanSection, PlanStatus
from tests.conftest import new_client
from tests.factories import create_org, create_plan, create_user, login
from tests.ops.conftest import PG_URL, dispose, migrated_app, real_sessions, scratch_database  # noqa: F401
from tests.plans.helpers import fresh, section_url, sections_of
from tests.plans.html import form_data, main_content, textarea_value
from tests.plans.test_never_lose_text import edit_form


def _form_on(browser, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return form_data(main_content(browser.get(url).get_data(as_text=True)).find("form", action=url))


OLD_FORM_TEXT = "Residents apply once online for every permit, from any device."


def test_a_tick_saved_alone_makes_an_older_form_stale(signed_in, editor_client, org, plan):  # type: ignore[no-untyped-def]
    section = sections_of(plan)[0]
    colleague = signed_in(create_user(org=org, role=Role.EDITOR, name="Bo Other"))
    old_form = edit_form(colleague, section)  # opened before the tick
    ticked = {**edit_form(editor_client, section), "ready": "y"}
    assert editor_client.post(section_url(section, "/edit"), data=ticked).status_code == 302
    assert fresh(PlanSection, section.id).ready is True

    response = colleague.post(section_url(section, "/edit"), data={**old_form, "body": OLD_FORM_TEXT})
    assert response.status_code == 409  # the conflict page, not a silent save over the tick
    assert textarea_value(main_content(response.get_data(as_text=True)).by_id("body")) == OLD_FORM_TEXT
    saved = fresh(PlanSection, section.id)
    assert saved.ready is True and saved.body != OLD_FORM_TEXT


def test_a_title_change_alone_makes_an_older_form_stale(editor_client, signed_in, org, plan):  # type: ignore[no-untyped-def]
    section = sections_of(plan)[0]
    colleague = signed_in(create_user(org=org, role=Role.EDITOR, name="Bo Other"))
    old_form = edit_form(colleague, section)
    renamed = {**edit_form(editor_client, section), "title": "Vision and mission"}
    assert editor_client.post(section_url(section, "/edit"), data=renamed).status_code == 302
    assert colleague.post(section_url(section, "/edit"), data={**old_form, "ready": "y"}).status_code == 409
    assert fresh(PlanSection, section.id).ready is False


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_two_editors_save_different_sections_of_a_plan_under_review_at_once(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    real_sessions,  # noqa: F811 - the fixture imported above
    scratch_database,  # noqa: F811
    monkeypatch,
):
    app = migrated_app(scratch_database("sections"), tmp_path / "exports")
    with app.app_context():
        org = create_org(name="Office of the State CIO")
        editors = [create_user(org=org, role=Role.EDITOR, name=name) for name in ("Erin Editor", "Bo Other")]
        plan = create_plan(org=org, owner=editors[0], status=PlanStatus.IN_REVIEW.value)
        plan_id, section_ids = plan.id, [section.id for section in sections_of(plan)[:2]]
        urls = [f"/plans/{plan_id}/sections/{section_id}/edit" for section_id in section_ids]
        emails = [person.email for person in editors]
        db.session.commit()
    browsers = [new_client(app) for _ in editors]
    for browser, email in zip(browsers, emails, strict=True):
        assert login(browser, email).status_code == 302
    forms = [_form_on(browser, url) for browser, url in zip(browsers, urls, strict=True)]

    # Both requests have read the plan "in review" before either changes it: the moment the race is lost.
    both_loaded = threading.Barrier(2, timeout=20)
    real_start = services.start_new_draft

    def start_together(plan: Plan, *, user):  # type: ignore[no-untyped-def]
        both_loaded.wait()
        real_start(plan, user=user)

    monkeypatch.setattr(services, "start_new_draft", start_together)
    statuses: dict[int, int] = {}

    def save(index: int) -> None:
        data = {**forms[index], "body": f"New text for section {index + 1}."}
        statuses[index] = browsers[index].post(urls[index], data=data).status_code

    threads = [threading.Thread(target=save, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert statuses == {0: 302, 1: 302}
        with app.app_context():
            for index, section_id in enumerate(section_ids):
                assert db.session.get(PlanSection, section_id).body == f"New text for section {index + 1}."
            assert db.session.get(Plan, plan_id).status == PlanStatus.DRAFT.value
            new_drafts = db.select(db.func.count()).where(AuditEvent.action == "plan.new_draft")
            assert db.session.scalar(new_drafts.select_from(AuditEvent)) == 1
    finally:
        dispose(app)


def test_a_lost_version_race_anywhere_is_the_conflict_page_with_the_text(editor_client, plan, monkeypatch):  # type: ignore[no-untyped-def]
    """The shared handler: a StaleDataError no view expected (a versioned row changed between read and write) is a
    409 page giving the typed text back, never a 500."""
    from sqlalchemy.orm.exc import StaleDataError

    def lost_race(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise StaleDataError("UPDATE statement on table 'plan' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(services, "save_section", lost_race)
    section = sections_of(plan)[0]
    form = {**edit_form(editor_client, section), "body": OLD_FORM_TEXT}
    response = editor_client.post(section_url(section, "/edit"), data=form)
    assert response.status_code == 409
    assert "Someone else saved this" in response.get_data(as_text=True)
    assert OLD_FORM_TEXT in response.get_data(as_text=True)
