"""Demo data: a state CIO office with one user per role and a realistic plan, plus a county
office that shows organizations are kept apart. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from app.auth.models import Organization, Role, User
from app.auth.orgs import create_organization
from app.auth.services import create_user
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.templates import get_template

DEMO_PLAN_FILE = Path(__file__).with_name("demo_plan.yaml")
STATE_SLUG = "demo-state-ocio"
COUNTY_SLUG = "demo-county-it"


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    name: str
    password: str
    org_slug: str = STATE_SLUG


# Published passwords: demo data is refused in production (see `flask seed demo`).
DEMO_USERS = (
    DemoUser("admin", "admin@ocio.demo-state.example", "Avery Admin", "Lighthouse-Atlas-2027"),
    DemoUser("editor", "editor@ocio.demo-state.example", "Elena Editor", "Quill-Meadow-2027"),
    DemoUser("reviewer", "reviewer@ocio.demo-state.example", "Ravi Reviewer", "Ledger-Compass-2027"),
    DemoUser("viewer", "viewer@ocio.demo-state.example", "Vera Viewer", "Horizon-Summit-2027"),
    DemoUser("admin", "admin@it.demo-county.example", "Casey County", "Granite-River-2027", COUNTY_SLUG),
)


def all_demo_logins() -> list[tuple[str, str, str, str]]:
    """(role, email, password, who) of every demo account, for `flask seed demo` and the README."""
    from app.demo.architecture import HEALTH_ADMIN
    from app.demo.governance import DEMO_BOARD_USERS

    logins = [(u.role, u.email, u.password, u.name) for u in DEMO_USERS]
    logins += [("reviewer", b.email, b.password, f"{b.name}, {b.job_title} (board member)") for b in DEMO_BOARD_USERS]
    email, name, password = HEALTH_ADMIN
    logins.append(("admin", email, password, f"{name} (state health agency)"))
    return logins


def load_demo(template_dir: str) -> bool:
    """Create the demo data unless it is there already. Returns whether anything was created."""
    if db.session.scalar(db.select(Organization.id).where(Organization.slug == STATE_SLUG)) is not None:
        return False
    state = create_organization(slug=STATE_SLUG, name="Demo State Office of the CIO")
    county = create_organization(slug=COUNTY_SLUG, name="Demo County Information Technology Department")
    orgs = {STATE_SLUG: state, COUNTY_SLUG: county}
    users = {
        (u.org_slug, u.role): create_user(
            email=u.email, name=u.name, password=u.password, organization=orgs[u.org_slug], role=Role(u.role)
        )
        for u in DEMO_USERS
    }
    from app.demo.portfolio import load_demo_portfolio

    load_demo_portfolio(state, users[(STATE_SLUG, "editor")])
    plan = _load_state_plan(state, users, template_dir)
    _load_county_plan(county, users[(COUNTY_SLUG, "admin")], template_dir)
    _load_structured_content(state, users, plan)
    return True


def _load_structured_content(state: Organization, users: dict[tuple[str, str], User], plan: Plan) -> None:
    """Workforce, architecture and governance demo data, each from its own module."""
    from app.demo.architecture import load_demo_architecture
    from app.demo.governance import load_demo_governance
    from app.demo.workforce import load_demo_workforce

    load_demo_workforce(state, users)
    load_demo_architecture(state, users)
    load_demo_governance(state, users, plan)


def _load_state_plan(state: Organization, users: dict[tuple[str, str], User], template_dir: str) -> Plan:
    content = yaml.safe_load(DEMO_PLAN_FILE.read_text(encoding="utf-8"))
    template = get_template(template_dir, "us-state-customer-centric")
    if template is None:
        raise RuntimeError("plans/us-state-customer-centric.yaml is missing")
    plan = plan_services.create_plan(
        organization=state,
        owner=users[(STATE_SLUG, "editor")],
        title=content["title"],
        first_fiscal_year=content["first_fiscal_year"],
        last_fiscal_year=content["last_fiscal_year"],
        template=template,
    )
    for section in plan.sections:
        spec = content["sections"].get(section.key)
        if not spec:
            continue
        for revision in spec["revisions"]:
            author = users[(STATE_SLUG, revision["author"])]
            plan_services.save_section(
                section,
                user=author,
                title=section.title,
                body=revision["body"].strip(),
                base_version=section.version,
                ready=bool(spec["ready"]),
            )
    return plan


def _load_county_plan(county: Organization, admin: User, template_dir: str) -> None:
    template = get_template(template_dir, "compact-five-section")
    if template is None:
        raise RuntimeError("plans/compact-five-section.yaml is missing")
    plan_services.create_plan(
        organization=county,
        owner=admin,
        title="County IT Plan FY2027–FY2029",
        first_fiscal_year=2027,
        last_fiscal_year=2029,
        template=template,
    )
