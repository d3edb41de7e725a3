"""The organization a signed-in user is working in (view-layer helper: reads the session)."""

from __future__ import annotations

from flask import abort, g, session
from flask_login import current_user

from app.auth.models import Organization, Role
from app.extensions import db


def current_organization() -> Organization:
    """The chosen organization among the user's active memberships; 403 for a user with none.

    A membership its organization's admin deactivated is never chosen, whatever the session remembers, so the
    person keeps working in their other organizations and has no access in that one."""
    if "current_org" in g:
        return g.current_org  # type: ignore[no-any-return]
    memberships = sorted(current_user.active_memberships, key=lambda m: m.organization_id)
    if not memberships:
        abort(403)
    chosen = next((m for m in memberships if m.organization_id == session.get("org_id")), memberships[0])
    g.current_org = db.session.get(Organization, chosen.organization_id)
    return g.current_org  # type: ignore[no-any-return]


def current_role() -> Role | None:
    return current_user.role_in(current_organization().id)


def require_admin() -> Organization:
    """The current organization when the user administers it; otherwise 403."""
    organization = current_organization()
    if not current_user.is_admin_of(organization.id):
        abort(403)
    return organization
