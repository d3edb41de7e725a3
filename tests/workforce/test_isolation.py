"""The core isolation and form-body checks (tests/core) run over the workforce routes alone, so they hold here
whatever the state of other domains' routes."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.extensions import db
from tests.core.world import (
    MISSING_IDS,
    build_tenant,
    build_url,
    changed_tables,
    content_digest,
    form_data,
    methods_of,
    signed_in,
)

SESSION_CLOCK = frozenset({("user_session", "last_seen_at")})
AUDIT = {"audit_event", "audit_chain_head"}
NESTED = {"capacity_id", "gap_id", "need_id"}


def workforce_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("workforce.")]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER], ids=lambda r: r.value)
def test_another_organizations_workforce_objects_answer_404_and_change_nothing(app, role):
    a, b = build_tenant("ORGA"), build_tenant("ORGB")
    client = signed_in(app, a.users[role])
    before = content_digest(ignore=SESSION_CLOCK)
    problems = []
    for rule in workforce_rules(app):
        if not set(rule.arguments) - {"fmt"}:
            continue
        for method in methods_of(rule):
            targets = [b.ids(), MISSING_IDS]
            if set(rule.arguments) & NESTED:  # OrgB's part under OrgA's own role or initiative
                targets.append({**b.ids(), "initiative_id": a.initiative.id, "role_id": a.ids()["role_id"]})
            for ids in targets:
                url = build_url(app, rule, ids)
                data = form_data(rule.endpoint, b, b.ids()) if method == "POST" else None
                response = client.open(url, method=method, data=data)
                if response.status_code != 404:
                    problems.append(f"{method} {url}: {response.status_code}")
                if b.canary in response.get_data(as_text=True):
                    problems.append(f"{method} {url}: OrgB canary")
    assert not problems, "\n".join(problems)
    db.session.expire_all()
    assert changed_tables(before, content_digest(ignore=SESSION_CLOCK)) == []


def test_own_workforce_pages_show_own_data_and_never_the_other_organizations(app):
    a, b = build_tenant("ORGA"), build_tenant("ORGB")
    client = signed_in(app, a.users[Role.VIEWER])
    for rule in workforce_rules(app):
        if "GET" in methods_of(rule) and rule.endpoint not in {"workforce.edit_role", "workforce.edit_skill"}:
            response = client.get(build_url(app, rule, a.ids()))
            body = response.get_data(as_text=True) if response.status_code == 200 else ""
            assert b.canary not in body, rule.rule


def test_every_workforce_post_body_of_the_shared_world_is_accepted_and_changes_data(app):
    problems = []
    for rule in workforce_rules(app):
        if "POST" not in methods_of(rule):
            continue
        tenant = build_tenant("ORGA")
        client = signed_in(app, tenant.users[Role.ADMIN])
        before = {k: v for k, v in content_digest(ignore=SESSION_CLOCK).items() if k not in AUDIT}
        response = client.post(build_url(app, rule, tenant.ids()), data=form_data(rule.endpoint, tenant))
        after = {k: v for k, v in content_digest(ignore=SESSION_CLOCK).items() if k not in AUDIT}
        if response.status_code >= 400 or not changed_tables(before, after):
            problems.append(f"{rule.endpoint}: {response.status_code}, changed {changed_tables(before, after)}")
    assert not problems, "\n".join(problems)
