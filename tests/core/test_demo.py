"""`flask seed demo`: a realistic state office to explore, loaded once, with the logins the README lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import Membership, Organization
from app.demo.seed import STATE_SLUG, all_demo_logins
from app.extensions import db
from app.plans.models import Plan, SectionRevision
from app.plans.templates import get_template
from tests.core.world import new_client, row_counts
from tests.factories import TEMPLATE_DIR, login

README = Path(__file__).resolve().parents[2] / "README.md"
PRINTED_LOGIN = re.compile(r"^\s+(admin|editor|reviewer|viewer)\s+(\S+@\S+)\s+(\S+)\s*$", re.M)


def seed(app):
    return app.test_cli_runner().invoke(args=["seed", "demo"])


def test_seed_creates_the_state_office_with_one_user_per_role_whose_printed_passwords_sign_in(app):
    result = seed(app)
    assert result.exit_code == 0, result.output
    state = db.session.scalar(select(Organization).where(Organization.name == "Demo State Office of the CIO"))
    assert state is not None
    roles = sorted(db.session.scalars(select(Membership.role).where(Membership.organization_id == state.id)))
    assert sorted(set(roles)) == ["admin", "editor", "reviewer", "viewer"]
    assert roles.count("reviewer") == 5  # Ravi Reviewer and four board members
    printed = PRINTED_LOGIN.findall(result.output)
    assert {(email, password) for _, email, password in printed} == {(e, p) for _, e, p, _ in all_demo_logins()}
    for role, email, password in printed:
        client = new_client(app)
        assert login(client, email, password).status_code == 302, f"{role} {email} cannot sign in"
        plans = client.get("/plans").get_data(as_text=True)
        assert ("Digital State 2027–2030" in plans) == (email.endswith("ocio.demo-state.example")), email


def test_demo_plan_has_every_state_template_section_with_realistic_text(app):
    seed(app)
    state = db.session.scalar(select(Organization).where(Organization.slug == STATE_SLUG))
    plan = db.session.scalar(select(Plan).where(Plan.organization_id == state.id))
    template = get_template(TEMPLATE_DIR, "us-state-customer-centric")
    assert [s.key for s in plan.sections] == [s.key for s in template.sections]
    assert len(plan.sections) == 14
    short = [s.key for s in plan.sections if s.word_count < 80]
    assert short == [], "sections without realistic text"
    assert "TODO" not in "".join(s.body for s in plan.sections)
    ready = sum(s.ready for s in plan.sections)
    assert len(plan.sections) / 2 < ready < len(plan.sections)
    revised = [
        s
        for s in plan.sections
        if db.session.scalar(select(db.func.count()).where(SectionRevision.section_id == s.id)) >= 2
    ]
    assert len(revised) >= 3


def test_seeding_twice_changes_nothing_and_says_so(app):
    assert seed(app).exit_code == 0
    counts = row_counts()
    again = seed(app)
    assert again.exit_code == 0
    assert "already loaded; nothing changed" in again.output
    assert row_counts() == counts


@pytest.mark.skipif(not README.exists(), reason="README.md has not been written yet")
def test_readme_lists_exactly_the_demo_logins():
    rows = [
        line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("|") and ".example" in line
    ]
    listed = {tuple(re.findall(r"`([^`]+)`", row)[:2]) for row in rows}
    assert listed == {(email, password) for _, email, password, _ in all_demo_logins()}
