"""Migration 0012 (per-office deactivation): downgrading keeps the data it can and gives nobody access."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from tests.core.test_migrations import db_session, migration_app, postgresql_url, sqlite_url  # noqa: F401

STAMP = "2027-01-01 00:00:00+00:00"


def _run(sql: str, **params: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_downgrading_0012_gives_no_deactivated_member_access_back(migration_app):  # noqa: F811
    upgrade(revision="0012")
    for org_id, slug in ((1, "office-a"), (2, "office-b")):
        _run(
            "INSERT INTO organization (id, slug, name, classification_label, fiscal_year_start_month, created_at, "
            "updated_at) VALUES (:id, :slug, :slug, 'OFFICIAL', 7, :at, :at)",
            id=org_id,
            slug=slug,
            at=STAMP,
        )
    # 1: works in A, deactivated in B. 2: deactivated in its only office. 3: active in both.
    for user_id in (1, 2, 3):
        _run(
            "INSERT INTO user_account (id, email, name, password_hash, active, password_changed_at, created_at, "
            "updated_at) VALUES (:id, :email, 'Person', 'x', :yes, :at, :at, :at)",
            id=user_id,
            email=f"person{user_id}@agency.example",
            yes=True,
            at=STAMP,
        )
    memberships = [(1, 1, 1, True), (2, 1, 2, False), (3, 2, 1, False), (4, 3, 1, True), (5, 3, 2, True)]
    for membership_id, user_id, org_id, active in memberships:
        _run(
            "INSERT INTO membership (id, user_id, organization_id, role, active, created_at, updated_at) "
            "VALUES (:id, :user_id, :org_id, 'editor', :active, :at, :at)",
            id=membership_id,
            user_id=user_id,
            org_id=org_id,
            active=active,
            at=STAMP,
        )

    downgrade(revision="0011")

    assert sorted(_rows("SELECT user_id, organization_id FROM membership")) == [(1, 1), (2, 1), (3, 1), (3, 2)]
    active = dict(_rows("SELECT id, active FROM user_account"))
    assert {k: bool(v) for k, v in active.items()} == {1: True, 2: False, 3: True}

    upgrade(revision="0012")
    assert {bool(v) for (v,) in _rows("SELECT active FROM membership")} == {True}  # data kept, back to active
