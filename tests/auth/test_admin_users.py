"""Admins manage the people in their organization; nobody else can (R12 for /admin/users, R29 audit)."""

from __future__ import annotations

import json
import re

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, create_org, create_user, login

NEW_PASSWORD = "Copper-kettle-winter-road-8"


@pytest.fixture
def admin_browser(client, admin):  # type: ignore[no-untyped-def]
    assert redirect_path(login(client, admin)) == "/plans"
    return client


def users_row(page: str, email: str) -> str:
    """The text of the /admin/users table row for one person."""
    row = next((r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if email in r), None)
    assert row, f"{email} is not listed"
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def reload(user: User) -> User:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh


def test_admin_adds_a_user_who_can_then_sign_in(admin_browser, new_client):
    response = admin_browser.post(
        "/admin/users/new",
        data={
            "name": "Ada Lovelace",
            "email": "ada.lovelace@agency.example",
            "role": "editor",
            "password": NEW_PASSWORD,
        },
    )
    assert redirect_path(response) == "/admin/users"
    listing = admin_browser.get("/admin/users").get_data(as_text=True)
    assert "Ada Lovelace" in users_row(listing, "ada.lovelace@agency.example")
    newcomer = new_client()
    assert redirect_path(login(newcomer, "ada.lovelace@agency.example", NEW_PASSWORD)) == "/plans"
    assert is_signed_in(newcomer)


def test_admin_changes_a_role_and_it_is_listed_and_audited(admin_browser, org, admin, editor):
    response = admin_browser.post(f"/admin/users/{editor.id}", data={"role": "viewer", "active": "y"})
    assert redirect_path(response) == "/admin/users"
    assert "viewer" in users_row(admin_browser.get("/admin/users").get_data(as_text=True), editor.email).split()
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "user.role_change", AuditEvent.object_id == editor.id)
    ).all()
    assert len(events) == 1
    assert events[0].actor_id == admin.id and events[0].organization_id == org.id
    assert json.loads(events[0].changes)["role"] == {"before": "editor", "after": "viewer"}


def test_demoted_user_loses_admin_pages_at_once(app, admin_browser, new_client, org, admin):
    deputy = create_user(org=org, role=Role.ADMIN)
    deputy_browser = new_client()
    login(deputy_browser, deputy)
    assert deputy_browser.get("/admin/users").status_code == 200
    admin_browser.post(f"/admin/users/{deputy.id}", data={"role": "editor", "active": "y"})
    assert deputy_browser.get("/admin/users").status_code == 403


def test_admin_deactivates_a_user(admin_browser, new_client, org, editor):
    response = admin_browser.post(f"/admin/users/{editor.id}", data={"role": "editor"})
    assert redirect_path(response) == "/admin/users"
    assert "Deactivated" in users_row(admin_browser.get("/admin/users").get_data(as_text=True), editor.email)
    assert reload(editor).role_in(org.id) is None
    assert login(new_client(), editor).status_code == 200  # refused with the sign-in error


def test_admin_reactivates_a_deactivated_member(admin_browser, new_client, org, editor):
    admin_browser.post(f"/admin/users/{editor.id}", data={"role": "editor"})
    assert admin_browser.get(f"/admin/users/{editor.id}").status_code == 200  # still theirs to manage
    response = admin_browser.post(f"/admin/users/{editor.id}", data={"role": "editor", "active": "y"})
    assert redirect_path(response) == "/admin/users"
    assert "Active" in users_row(admin_browser.get("/admin/users").get_data(as_text=True), editor.email)
    assert redirect_path(login(new_client(), editor)) == "/plans"
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_id == editor.id, AuditEvent.organization_id == org.id)
    ).all()
    assert actions[-2:] == ["user.deactivate", "user.activate"]


def test_admin_removes_a_member_who_then_has_no_access(admin_browser, new_client, org, editor):
    response = admin_browser.post(f"/admin/users/{editor.id}/remove")
    assert redirect_path(response) == "/admin/users"
    assert editor.email not in admin_browser.get("/admin/users").get_data(as_text=True)
    assert admin_browser.get(f"/admin/users/{editor.id}").status_code == 404
    assert reload(editor).membership_in(org.id) is None
    assert login(new_client(), editor).status_code == 200  # refused: no organization left
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "user.remove")).one()
    assert (event.organization_id, event.object_id) == (org.id, editor.id)


def test_admin_cannot_remove_themselves(admin_browser, admin, org):
    response = admin_browser.post(f"/admin/users/{admin.id}/remove", follow_redirects=True)
    assert "You cannot remove yourself. Ask another administrator." in text_of(response)
    assert reload(admin).role_in(org.id) is Role.ADMIN


def test_last_admin_cannot_demote_themselves(admin_browser, admin, org):
    response = admin_browser.post(f"/admin/users/{admin.id}", data={"role": "editor", "active": "y"})
    assert response.status_code == 422
    assert "last administrator. Make someone else an administrator first." in text_of(response)
    assert reload(admin).role_in(org.id) is Role.ADMIN


def test_admin_cannot_deactivate_themselves(admin_browser, admin, org):
    response = admin_browser.post(f"/admin/users/{admin.id}", data={"role": "admin"})
    assert response.status_code == 422
    assert "You cannot deactivate yourself. Ask another administrator." in text_of(response)
    assert reload(admin).role_in(org.id) is Role.ADMIN
    assert is_signed_in(admin_browser)


def test_with_two_admins_one_can_be_demoted(admin_browser, org):
    deputy = create_user(org=org, role=Role.ADMIN)
    assert redirect_path(admin_browser.post(f"/admin/users/{deputy.id}", data={"role": "editor", "active": "y"}))
    assert reload(deputy).role_in(org.id) is Role.EDITOR


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_non_admins_are_refused_user_management(client, org, admin, role):
    person = create_user(org=org, role=role)
    login(client, person)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post(f"/admin/users/{admin.id}", data={"role": "viewer"}).status_code == 403
    assert reload(admin).role_in(org.id) is Role.ADMIN


def test_admin_cannot_edit_someone_from_another_organization(admin_browser):
    outsider = create_user(org=create_org(), role=Role.EDITOR)
    assert admin_browser.get(f"/admin/users/{outsider.id}").status_code == 404
    assert admin_browser.post(f"/admin/users/{outsider.id}", data={"role": "viewer"}).status_code == 404
    assert reload(outsider).active


def test_invalid_email_keeps_what_was_typed_and_says_what_to_do(admin_browser):
    response = admin_browser.post(
        "/admin/users/new",
        data={"name": "Grace Hopper", "email": "grace-at-agency", "role": "editor", "password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Grace Hopper"' in page
    assert 'value="grace-at-agency"' in page
    assert "Enter an email address in the form name@agency.gov." in text_of(response)
    assert NEW_PASSWORD not in page


def test_weak_initial_password_keeps_what_was_typed_and_says_what_to_do(admin_browser):
    response = admin_browser.post(
        "/admin/users/new",
        data={"name": "Grace Hopper", "email": "grace.hopper@agency.example", "role": "editor", "password": "short"},
    )
    assert response.status_code == 422
    assert 'value="Grace Hopper"' in response.get_data(as_text=True)
    assert "Use at least 12 characters" in text_of(response)
    assert db.session.scalar(db.select(User).where(User.email == "grace.hopper@agency.example")) is None


def test_missing_name_says_what_to_do(admin_browser):
    response = admin_browser.post(
        "/admin/users/new",
        data={"name": "", "email": "nameless@agency.example", "role": "editor", "password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "Enter the person's name." in text_of(response)


def test_adding_an_existing_member_again_says_where_to_find_them(admin_browser, new_client, editor):
    response = admin_browser.post(
        "/admin/users/new",
        data={"name": "Someone Else", "email": editor.email.upper(), "role": "viewer", "password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert f"{editor.email} is already a member of this organization. Find them in the list of users." in text_of(
        response
    )
    assert redirect_path(login(new_client(), editor, PASSWORD)) == "/plans"  # the existing account is untouched
