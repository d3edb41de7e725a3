"""Office ↔ office: a hostile admin of office B, and Pat, who works in office A and also belongs to B.

Whatever B's admin does through the real /admin/users pages acts on Pat's membership in B only: Pat keeps
signing in and working in A (browser and API token), Pat's account (name, password, second factor) is not
B's to change, and adding a person never tells B whether an e-mail has an account in another office.
"""

from __future__ import annotations

import re

import pytest

from app.audit.models import AuditEvent
from app.auth import mfa
from app.auth.models import Membership, Role, User
from app.extensions import db
from tests.api.world import api_for
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.auth.test_mfa import enrol
from tests.factories import PASSWORD, create_org, create_plan, create_user, login

TYPED_PASSWORD = "Marble-otter-gazes-north-31"


class Offices:
    def __init__(self) -> None:
        self.a = create_org(name="State Office of the CIO")
        self.b = create_org(name="County IT Department")
        self.admin_a = create_user(org=self.a, role=Role.ADMIN)
        self.admin_b = create_user(org=self.b, role=Role.ADMIN)
        self.pat = create_user(org=self.a, role=Role.EDITOR, name="Pat Shared")
        self.pat.memberships.append(Membership(organization=self.b, role=Role.EDITOR.value))
        self.alex = create_user(org=self.a, role=Role.EDITOR, name="Alex Only-in-A")  # B cannot know Alex
        db.session.commit()
        self.plan_a = create_plan(org=self.a, owner=self.pat, title="State plan only members of A see")
        self.plan_b = create_plan(org=self.b, owner=self.admin_b, title="County plan only members of B see")


@pytest.fixture
def offices() -> Offices:
    return Offices()


@pytest.fixture
def hostile(new_client, offices):  # type: ignore[no-untyped-def]
    """The browser of office B's admin, signed in a moment ago (admin actions need a recent sign-in)."""
    browser = new_client()
    assert redirect_path(login(browser, offices.admin_b)) == "/plans"
    return browser


def fresh(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    assert found is not None
    return found


def plans_page(browser) -> str:  # type: ignore[no-untyped-def]
    response = browser.get("/plans")
    assert response.status_code == 200
    return text_of(response)


def test_deactivated_in_b_pat_still_signs_in_and_works_in_a(app, hostile, new_client, offices):
    token_a = api_for(app, offices.pat, offices.a)
    token_b = api_for(app, offices.pat, offices.b)
    already_in_b = new_client()  # Pat's browser, signed in before, working in B
    login(already_in_b, offices.pat)
    already_in_b.post("/organizations/switch", data={"organization_id": offices.b.id})
    assert "County plan only members of B see" in plans_page(already_in_b)

    response = hostile.post(f"/admin/users/{offices.pat.id}", data={"role": "editor"})  # "active" unticked
    assert redirect_path(response) == "/admin/users"

    browser = new_client()
    assert redirect_path(login(browser, offices.pat)) == "/plans"
    page = plans_page(browser)
    assert "State plan only members of A see" in page and "County plan only members of B see" not in page
    assert browser.post("/organizations/switch", data={"organization_id": offices.b.id}).status_code == 404
    assert browser.get(f"/plans/{offices.plan_b.id}").status_code in (403, 404)
    assert browser.get(f"/plans/{offices.plan_a.id}").status_code == 200
    # The browser that was working in B is back in A, not signed out and not in B any more.
    assert "County plan only members of B see" not in plans_page(already_in_b)
    assert "State plan only members of A see" in plans_page(already_in_b)

    assert token_a.get("/api/v1/plans").status_code == 200
    assert token_b.get("/api/v1/plans").status_code == 401
    assert fresh(offices.pat).active and fresh(offices.pat).role_in(offices.a.id) is Role.EDITOR


def test_a_token_for_b_stays_dead_when_b_reactivates_pat(app, hostile, offices):
    token_b = api_for(app, offices.pat, offices.b)
    hostile.post(f"/admin/users/{offices.pat.id}", data={"role": "editor"})
    hostile.post(f"/admin/users/{offices.pat.id}", data={"role": "editor", "active": "y"})
    assert fresh(offices.pat).role_in(offices.b.id) is Role.EDITOR
    assert token_b.get("/api/v1/plans").status_code == 401  # revoked at deactivation, not merely suspended


def test_role_change_in_b_leaves_the_role_in_a(hostile, new_client, offices):
    response = hostile.post(f"/admin/users/{offices.pat.id}", data={"role": "viewer", "active": "y"})
    assert redirect_path(response) == "/admin/users"
    pat = fresh(offices.pat)
    assert (pat.role_in(offices.a.id), pat.role_in(offices.b.id)) == (Role.EDITOR, Role.VIEWER)
    admin_a = new_client()
    login(admin_a, offices.admin_a)
    row = next(
        r
        for r in re.findall(r"<tr>.*?</tr>", admin_a.get("/admin/users").get_data(as_text=True), re.S)
        if offices.pat.email in r
    )
    assert "editor" in row and "Active" in row


def test_removing_pat_from_b_leaves_the_membership_in_a(app, hostile, new_client, offices):
    token_a = api_for(app, offices.pat, offices.a)
    response = hostile.post(f"/admin/users/{offices.pat.id}/remove")
    assert redirect_path(response) == "/admin/users"
    assert offices.pat.email not in hostile.get("/admin/users").get_data(as_text=True)
    pat = fresh(offices.pat)
    assert pat.membership_in(offices.b.id) is None and pat.role_in(offices.a.id) is Role.EDITOR
    browser = new_client()
    assert redirect_path(login(browser, offices.pat)) == "/plans"
    assert "State plan only members of A see" in plans_page(browser)
    assert token_a.get("/api/v1/plans").status_code == 200
    # And B's admin cannot reach Pat any more.
    assert hostile.get(f"/admin/users/{offices.pat.id}").status_code == 404


def test_b_cannot_reset_the_second_factor_pat_uses_for_a(hostile, offices):
    enrol(offices.pat)
    db.session.commit()
    edit_page = text_of(hostile.get(f"/admin/users/{offices.pat.id}"))
    assert "only the Planwright instance operator can reset it" in edit_page
    response = hostile.post(f"/admin/users/{offices.pat.id}/mfa/reset", follow_redirects=True)
    assert "can only be reset by the Planwright instance operator" in text_of(response)
    assert mfa.has_mfa(fresh(offices.pat))
    refused = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.mfa_reset_refused")).one()
    assert (refused.organization_id, refused.object_id, refused.actor_id) == (
        offices.b.id,
        offices.pat.id,
        offices.admin_b.id,
    )


def test_the_instance_operator_resets_the_shared_second_factor_from_the_command_line(app, offices):
    enrol(offices.pat)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "reset-mfa", offices.pat.email.upper()])
    assert result.exit_code == 0, result.output
    assert f"Removed the authenticator of {offices.pat.email}" in result.output
    assert not mfa.has_mfa(fresh(offices.pat))
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.mfa_reset")).one()
    assert (event.organization_id, event.object_id, event.actor_id) == (None, offices.pat.id, None)


def _answer(browser, email: str, password: str):  # type: ignore[no-untyped-def]
    """What B's admin sees after adding a person: status, where it leads, the body, and the messages shown next."""
    response = browser.post(
        "/admin/users/new", data={"name": "Pat Impostor", "email": email, "role": "admin", "password": password}
    )
    location = response.headers.get("Location")
    shown = browser.get(location).get_data(as_text=True) if location else response.get_data(as_text=True)
    messages = re.findall(r'<p class="usa-alert__text">(.*?)</p>', shown, re.S)
    return (
        response.status_code,
        location,
        _neutral(response.get_data(as_text=True), email),
        _neutral(" ".join(messages), email),
    )


def _neutral(text: str, email: str) -> str:
    text = text.replace(email, "EMAIL")
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1CSRF", text)
    text = re.sub(r'data-csrf="[^"]*"', 'data-csrf="CSRF"', text)
    return re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', text)  # per-response script nonce, if any


@pytest.mark.parametrize(("password", "status"), [(TYPED_PASSWORD, 302), ("dragondragon", 422)], ids=["ok", "weak"])
def test_adding_an_e_mail_with_an_account_in_a_looks_exactly_like_adding_an_unknown_one(
    hostile, offices, password, status
):
    known = _answer(hostile, offices.alex.email, password)
    unknown = _answer(hostile, "nobody.yet@county.example", password)
    assert known[0] == status
    assert known == unknown
    # B's own audit log tells the two apart no better.
    summaries = db.session.scalars(
        db.select(AuditEvent.summary).where(
            AuditEvent.organization_id == offices.b.id,
            AuditEvent.action == "user.create",
            AuditEvent.actor_id == offices.admin_b.id,
        )
    ).all()
    assert len(summaries) == (2 if status == 302 else 0)
    if summaries:
        assert summaries[0].replace(offices.alex.email, "EMAIL") == summaries[1].replace(
            "nobody.yet@county.example", "EMAIL"
        )


def test_adding_a_person_of_a_does_not_let_b_set_their_name_or_password(hostile, new_client, offices):
    hostile.post(
        "/admin/users/new",
        data={"name": "Pat Impostor", "email": offices.alex.email, "role": "admin", "password": TYPED_PASSWORD},
    )
    alex = fresh(offices.alex)
    assert alex.name == "Alex Only-in-A"
    assert login(new_client(), alex, TYPED_PASSWORD).status_code == 200  # B's password does not open the account
    browser = new_client()
    assert redirect_path(login(browser, alex, PASSWORD)) == "/plans"
    assert is_signed_in(browser)
    assert alex.role_in(offices.a.id) is Role.EDITOR  # A's membership untouched
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "user.membership_add_existing")
    ).one()  # the account-level fact is in the instance's log, not in B's
    assert (event.organization_id, event.object_id, event.actor_id) == (None, alex.id, offices.admin_b.id)
