"""Plans and sections through the API: ETag on read, If-Match on write (428 missing, 412 stale, nothing written),
the same revisions and audit events as the editor, problem+json for bad input."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import PlanSection, SectionRevision
from tests.api.world import PROBLEM, Api, assert_problem, make_token


def section_url(plan, section) -> str:
    return f"/api/v1/plans/{plan.id}/sections/{section.id}"


def revisions(section) -> int:
    return len(db.session.scalars(select(SectionRevision).where(SectionRevision.section_id == section.id)).all())


def test_plans_and_sections_are_listed_and_read(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    plans = api.get("/api/v1/plans").get_json()
    assert plans["total"] == 1 and plans["items"][0]["status"] == "draft" and plans["items"][0]["owner"] == editor.name
    assert api.get(f"/api/v1/plans/{plan.id}").get_json()["first_fiscal_year"] == 2027
    sections = api.get(f"/api/v1/plans/{plan.id}/sections").get_json()
    assert [s["key"] for s in sections["items"]] == [s.key for s in plan.sections]
    assert "body" not in sections["items"][0]
    first = plan.sections[0]
    response = api.get(section_url(plan, first))
    assert response.status_code == 200
    body = response.get_json()
    assert body["body"] == first.body and body["etag"] == response.headers["ETag"]


def test_patch_with_the_current_etag_saves_a_revision_and_audits_it(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    section = plan.sections[0]
    url = section_url(plan, section)
    etag = api.get(url).headers["ETag"]
    before = revisions(section)
    response = api.patch(url, json={"body": "Our vision: one front door.", "ready": True}, headers={"If-Match": etag})
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] != etag
    assert response.get_json()["body"] == "Our vision: one front door." and response.get_json()["state"] == "ready"
    db.session.expire_all()
    assert revisions(section) == before + 1
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "section.update", AuditEvent.object_id == section.id)
    ).all()[-1]
    assert event.actor_id == editor.id


def test_put_replaces_title_text_and_ready(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    section = plan.sections[1]
    url = section_url(plan, section)
    etag = api.get(url).headers["ETag"]
    response = api.put(url, json={"title": "Vision", "body": "New text"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Vision" and response.get_json()["ready"] is False


def test_a_stale_etag_is_412_and_the_colleague_s_text_is_kept(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    section = plan.sections[0]
    url = section_url(plan, section)
    stale = api.get(url).headers["ETag"]
    plan_services.save_section(
        section, user=editor, title=section.title, body="Colleague's text", base_version=section.version, ready=False
    )
    db.session.commit()
    response = api.patch(url, json={"body": "My text"}, headers={"If-Match": stale})
    body = assert_problem(response, 412)
    assert body["current_etag"] == response.headers["ETag"] != stale
    db.session.expire_all()
    assert db.session.get(PlanSection, section.id).body == "Colleague's text"


def test_a_missing_if_match_is_428_and_nothing_is_written(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    section = plan.sections[0]
    before = revisions(section)
    body = assert_problem(api.patch(section_url(plan, section), json={"body": "No etag"}), 428)
    assert "If-Match" in body["detail"]
    assert revisions(section) == before


def test_invalid_input_is_422_naming_each_field_and_nothing_is_written(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    section = plan.sections[0]
    url = section_url(plan, section)
    etag = api.get(url).headers["ETag"]
    before = revisions(section)
    response = api.patch(url, json={"title": "x" * 201, "body": "ok\x00", "colour": "red"}, headers={"If-Match": etag})
    body = assert_problem(response, 422)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields.keys() == {"title", "body", "colour"}
    assert "200 characters" in fields["title"] and "control characters" in fields["body"]
    assert revisions(section) == before
    db.session.expire_all()
    assert db.session.get(PlanSection, section.id).title == section.title


def test_a_body_that_is_not_json_is_415_and_bad_json_is_400(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    url = section_url(plan, plan.sections[0])
    etag = api.get(url).headers["ETag"]
    as_form = api.client.patch(url, data={"body": "x"}, headers=api.headers({"If-Match": etag}))
    assert_problem(as_form, 415)
    broken = api.client.patch(
        url, data="{not json", headers=api.headers({"If-Match": etag, "Content-Type": "application/json"})
    )
    assert_problem(broken, 400)


def test_a_plan_that_is_not_a_draft_is_409(app, editor, plan):
    plan.status = "approved"
    db.session.commit()
    api = Api(app, make_token(editor)[1])
    url = section_url(plan, plan.sections[0])
    etag = api.get(url).headers["ETag"]
    body = assert_problem(api.patch(url, json={"body": "Late change"}, headers={"If-Match": etag}), 409)
    assert "approved" in body["detail"]


def test_unknown_urls_and_methods_answer_problem_json(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    assert_problem(api.get("/api/v1/nothing-here"), 404)
    assert_problem(api.get(f"/api/v1/plans/{plan.id + 1000}"), 404)
    wrong = api.send("DELETE", f"/api/v1/plans/{plan.id}")
    assert_problem(wrong, 405)
    assert "GET" in wrong.headers["Allow"]


def test_pages_have_a_link_header_and_an_envelope(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    response = api.get(f"/api/v1/plans/{plan.id}/sections?per_page=2&page=2")
    body = response.get_json()
    assert body["page"] == 2 and body["per_page"] == 2 and body["total"] == len(plan.sections)
    assert len(body["items"]) == 2
    link = response.headers["Link"]
    assert 'rel="first"' in link and 'rel="prev"' in link and 'rel="last"' in link and "page=3" in link
    bad = api.get("/api/v1/plans?per_page=1000")
    assert bad.mimetype == PROBLEM and bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "per_page"


def test_an_unexpected_failure_is_a_500_problem_with_a_correlation_id(app, editor, plan, monkeypatch):
    from app.api.resources import plans as plan_resources

    def broken(plan):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(plan_resources, "plan_out", broken)
    response = Api(app, make_token(editor)[1]).get(f"/api/v1/plans/{plan.id}")
    body = assert_problem(response, 500)
    # The id is the request's, as in the request log line, so support can find the failure from it.
    assert body["correlation_id"] == response.headers["X-Request-ID"] and "simulated" not in body["detail"]


def test_the_api_sets_no_cookie(app, editor, plan):
    response = Api(app, make_token(editor)[1]).get(f"/api/v1/plans/{plan.id}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
