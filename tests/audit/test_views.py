"""The audit log page: administrators read their own organization's trail and can filter it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan
from tests.core.world import build_tenant, signed_in

ACTION_CELL = re.compile(r"<td><code>([^<]+)</code></td>")


@pytest.fixture
def tenants():
    return build_tenant("ORGA"), build_tenant("ORGB")


def audit_page(client, **query) -> tuple[int, str, list[str]]:
    response = client.get("/audit", query_string=query)
    html = response.get_data(as_text=True)
    return response.status_code, html, ACTION_CELL.findall(html)


def test_admin_sees_the_trail_of_their_own_organization_only(app, tenants):
    a, b = tenants
    status, html, actions = audit_page(signed_in(app, a.users[Role.ADMIN]))
    assert status == 200
    assert {"organization.create", "user.create", "plan.create", "section.update"} <= set(actions)
    assert a.canary in html and b.canary not in html
    _, other_html, _ = audit_page(signed_in(app, b.users[Role.ADMIN]))
    assert b.canary in other_html and a.canary not in other_html


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER], ids=lambda r: r.value)
def test_other_roles_are_refused_the_audit_log(app, tenants, role):
    status, html, actions = audit_page(signed_in(app, tenants[0].users[role]))
    assert status == 403
    assert actions == [] and "Audit log of" not in html


def test_admin_filters_by_action(app, tenants):
    status, _, actions = audit_page(signed_in(app, tenants[0].users[Role.ADMIN]), action="plan.create")
    assert status == 200
    plans = db.session.scalar(select(func.count(Plan.id)).where(Plan.organization_id == tenants[0].org.id))
    assert plans >= 2 and actions == ["plan.create"] * plans  # the tenant's plans, nothing else


def test_admin_filters_by_date(app, tenants):
    client = signed_in(app, tenants[0].users[Role.ADMIN])
    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    assert audit_page(client, **{"from": today.isoformat(), "to": today.isoformat()})[2] != []
    assert audit_page(client, **{"from": (today + day).isoformat()})[2] == []
    assert audit_page(client, **{"to": (today - day).isoformat()})[2] == []


def test_date_filter_includes_the_whole_last_day(app, tenants):
    a, _ = tenants
    section = a.plan.sections[0]
    with freeze_time("2025-03-04 23:59:59.500000"):
        plan_services.save_section(
            section,
            user=a.users[Role.EDITOR],
            title=section.title,
            body="Late-night edit",
            base_version=section.version,
            ready=False,
        )
        db.session.commit()
    client = signed_in(app, a.users[Role.ADMIN])
    _, _, actions = audit_page(client, **{"from": "2025-03-04", "to": "2025-03-04"})
    assert actions == ["section.update"]
    assert audit_page(client, **{"from": "2025-03-05", "to": "2025-03-05"})[2] == []
