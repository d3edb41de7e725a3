"""R05: accounts are created from the command line, with the password typed at a hidden prompt."""

from __future__ import annotations

from app.auth.models import Role, User
from app.extensions import db
from tests.auth.conftest import redirect_path
from tests.factories import PASSWORD, login

NEW_EMAIL = "first.admin@agency.example"


def run_users_create(app, *args: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["users", "create", *args], input=f"{password}\n{password}\n")


def test_cli_creates_a_user_who_can_sign_in(app, client, org):
    result = run_users_create(app, NEW_EMAIL, "--org", org.slug, "--role", "admin")
    assert result.exit_code == 0, result.output
    assert f"Created {NEW_EMAIL} as admin in {org.slug}." in result.output
    assert PASSWORD not in result.output
    user = db.session.scalar(db.select(User).where(User.email == NEW_EMAIL))
    assert user is not None and user.role_in(org.id) is Role.ADMIN
    assert redirect_path(login(client, NEW_EMAIL)) == "/plans"
    assert client.get("/admin/users").status_code == 200


def test_cli_unknown_organization_is_a_clear_error(app, org):
    result = run_users_create(app, NEW_EMAIL, "--org", "no-such-office", "--role", "editor")
    assert result.exit_code != 0
    assert (
        "No organization with slug 'no-such-office'. Create it with: flask orgs create no-such-office" in result.output
    )
    assert db.session.scalar(db.select(User).where(User.email == NEW_EMAIL)) is None


def test_cli_refuses_an_invalid_role(app, org):
    result = run_users_create(app, NEW_EMAIL, "--org", org.slug, "--role", "superuser")
    assert result.exit_code != 0
    assert "Invalid value for '--role'" in result.output and "'admin'" in result.output
    assert db.session.scalar(db.select(User).where(User.email == NEW_EMAIL)) is None


def test_cli_refuses_a_weak_password_with_advice(app, org):
    result = run_users_create(app, NEW_EMAIL, "--org", org.slug, "--role", "editor", password="pw")
    assert result.exit_code != 0
    assert "Use at least 12 characters" in result.output
    assert db.session.scalar(db.select(User).where(User.email == NEW_EMAIL)) is None


def test_cli_refuses_mismatched_password_confirmation(app, org):
    result = app.test_cli_runner().invoke(
        args=["users", "create", NEW_EMAIL, "--org", org.slug, "--role", "editor"],
        input=f"{PASSWORD}\nsomething-else-entirely\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()
    assert db.session.scalar(db.select(User).where(User.email == NEW_EMAIL)) is None
