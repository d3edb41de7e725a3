"""Personal API tokens: stored hashed, shown once, scoped, expiring, revocable at once, re-checked on every request."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.api.models import ApiToken
from app.api.tokens import issue_token, revoke_token
from app.audit.models import AuditEvent
from app.auth.models import Membership, Role
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db
from tests.api.world import Api, assert_problem, make_token
from tests.conftest import csrf_token_from
from tests.factories import create_org, create_user


def test_only_the_sha256_of_the_token_is_stored(app, editor):
    token, plaintext = make_token(editor)
    assert plaintext.startswith("pw_") and len(plaintext) >= 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    row = db.session.execute(text("SELECT * FROM api_token WHERE id = :id"), {"id": token.id}).mappings().one()
    assert all(plaintext not in str(value) for value in row.values())
    assert token.hint == plaintext[:10]


def test_a_token_reads_as_its_user_in_its_organization(app, editor, plan):
    api = Api(app, make_token(editor)[1])
    response = api.get("/api/v1/plans")
    assert response.status_code == 200
    assert [p["title"] for p in response.get_json()["items"]] == [plan.title]


def test_no_token_or_a_wrong_one_is_401_problem_with_a_bearer_challenge(app, client, editor):
    make_token(editor)
    missing = client.get("/api/v1/plans")
    body = assert_problem(missing, 401)
    assert "Authorization: Bearer" in body["detail"]
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = Api(app, "pw_" + "x" * 43).get("/api/v1/plans")
    assert_problem(wrong, 401)
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert_problem(client.get("/api/v1/plans", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_a_read_token_cannot_write_and_nothing_is_written(app, editor, plan):
    api = Api(app, make_token(editor, scope="read")[1])
    section = plan.sections[0]
    url = f"/api/v1/plans/{plan.id}/sections/{section.id}"
    etag = api.get(url).headers["ETag"]
    body = assert_problem(api.patch(url, json={"body": "Changed"}, headers={"If-Match": etag}), 403)
    assert "read-only" in body["detail"]
    assert_problem(api.post("/api/v1/initiatives", json={"title": "New thing"}), 403)
    db.session.expire_all()
    assert db.session.get(type(section), section.id).body != "Changed"


def test_an_expired_token_is_refused(app, editor):
    token, plaintext = make_token(editor)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    body = assert_problem(Api(app, plaintext).get("/api/v1/plans"), 401)
    assert "expired" in body["detail"]


def test_revoking_stops_the_token_at_once_and_is_audited(app, editor):
    token, plaintext = make_token(editor)
    api = Api(app, plaintext)
    assert api.get("/api/v1/plans").status_code == 200
    assert revoke_token(token, user=editor) is True
    db.session.commit()
    assert_problem(api.get("/api/v1/plans"), 401)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "api_token")).all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_the_role_is_checked_on_every_request(app, org, editor):
    api = Api(app, make_token(editor)[1])
    assert api.get("/api/v1/plans").status_code == 200
    membership = db.session.scalar(select(Membership).where(Membership.user_id == editor.id))
    db.session.delete(membership)
    db.session.commit()
    assert_problem(api.get("/api/v1/plans"), 401)


def test_a_deactivated_user_s_token_stops_working(app, editor):
    api = Api(app, make_token(editor)[1])
    editor.active = False
    db.session.commit()
    assert_problem(api.get("/api/v1/plans"), 401)


def test_a_viewer_s_read_write_token_still_cannot_change_anything(app, plan, viewer):
    api = Api(app, make_token(viewer)[1])
    url = f"/api/v1/plans/{plan.id}/sections/{plan.sections[0].id}"
    etag = api.get(url).headers["ETag"]
    assert_problem(api.patch(url, json={"body": "Viewer text"}, headers={"If-Match": etag}), 403)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "name"),
        ({"scope": "admin"}, "scope"),
        ({"expires_at": timedelta(days=400)}, "one year"),
        ({"expires_at": timedelta(days=-1)}, "future"),
    ],
)
def test_issue_token_refuses_bad_values(editor, org, changes, message):
    values = {"name": "Feed", "scope": "read", "expires_at": timedelta(days=30), **changes}
    with pytest.raises(DomainError, match=message):
        issue_token(
            user=editor,
            organization=org,
            name=values["name"],
            scope=values["scope"],
            expires_at=utcnow() + values["expires_at"],
        )


def test_a_token_cannot_be_issued_for_another_organization(editor):
    other = create_org()
    with pytest.raises(DomainError):
        issue_token(user=editor, organization=other, name="x", scope="read", expires_at=utcnow() + timedelta(days=1))


def test_last_used_is_recorded(app, editor):
    token, plaintext = make_token(editor)
    assert token.last_used_at is None
    Api(app, plaintext).get("/api/v1/organizations")
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


# --- the API tokens page ------------------------------------------------------------------------------


def test_the_page_creates_a_token_shows_it_once_and_lists_it(signed_in, editor):
    browser = signed_in(editor)
    page = browser.get("/account/api-tokens")
    assert page.status_code == 200
    default = (utcnow().date() + timedelta(days=90)).isoformat()
    assert f'value="{default}"' in page.get_data(as_text=True)
    created = browser.post(
        "/account/api-tokens", data={"name": "Dashboard feed", "scope": "read", "expires_on": default}
    )
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "will not be shown again" in html
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == editor.id))
    assert token is not None and token.scope == "read" and token.name == "Dashboard feed"
    plaintext = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert hashlib.sha256(plaintext.encode()).hexdigest() == token.token_hash
    again = browser.get("/account/api-tokens").get_data(as_text=True)
    assert "Dashboard feed" in again and plaintext not in again and token.hint in again


def test_the_page_refuses_an_expiry_beyond_a_year_keeping_the_name(signed_in, editor):
    browser = signed_in(editor)
    too_late = (utcnow().date() + timedelta(days=400)).isoformat()
    response = browser.post(
        "/account/api-tokens", data={"name": "Dashboard feed", "scope": "read-write", "expires_on": too_late}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "at most one year" in html and 'value="Dashboard feed"' in html
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == editor.id)) is None


def test_someone_else_s_token_cannot_be_revoked(signed_in, editor, org):
    other = create_user(org=org, role=Role.EDITOR)
    token, _ = make_token(other)
    response = signed_in(editor).post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


@pytest.mark.csrf
def test_revoking_needs_the_form_token(app, signed_in, editor):
    token, plaintext = make_token(editor)
    browser = signed_in(editor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = browser.post(f"/account/api-tokens/{token.id}/revoke")
        assert refused.status_code == 400
        db.session.expire_all()
        assert db.session.get(ApiToken, token.id).revoked_at is None
        csrf = csrf_token_from(browser.get("/account/api-tokens").get_data(as_text=True))
        done = browser.post(f"/account/api-tokens/{token.id}/revoke", data={"csrf_token": csrf})
        assert done.status_code == 302
        assert_problem(Api(app, plaintext).get("/api/v1/plans"), 401)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
