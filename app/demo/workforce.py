"""Demo workforce plan of the state office: eight roles with FY2027–FY2030 figures, a skills catalogue, gaps,
actions with costs and the people several demo initiatives need. Business analysts, cybersecurity analysts and
data engineers are short of people in FY2028, so the capacity view and the plan's capacity block show a shortfall."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.models import Initiative
from app.workforce import needs, services
from app.workforce.models import JobRole

# name, family, description, {fiscal year: (filled, vacancies, attrition, baseline required)}
ROLES: list[tuple[str, str, str, dict[int, tuple[str, str, str, str]]]] = [
    (
        "Cloud engineer",
        "Infrastructure and operations",
        "Builds and runs the State's cloud landing zones, platforms and disaster recovery (IT Specialist 3–5).",
        {
            2027: ("38", "9", "3", "24"),
            2028: ("44", "7", "3", "24"),
            2029: ("52", "5", "4", "26"),
            2030: ("60", "4", "4", "28"),
        },
    ),
    (
        "Cybersecurity analyst",
        "Security",
        "Monitors, investigates and hardens: Security Operations Center, identity and vulnerability management.",
        {
            2027: ("52", "11", "4", "40"),
            2028: ("55", "10", "5", "42"),
            2029: ("61", "8", "5", "44"),
            2030: ("68", "6", "5", "46"),
        },
    ),
    (
        "Data engineer",
        "Data and analytics",
        "Builds the enterprise data platform, pipelines and the data catalog; supports data sharing agreements.",
        {
            2027: ("29", "6", "2", "14"),
            2028: ("32", "6", "3", "15"),
            2029: ("38", "4", "3", "16"),
            2030: ("44", "3", "3", "18"),
        },
    ),
    (
        "Product manager",
        "Digital services",
        "Owns a resident-facing service end to end: outcomes, roadmap, research with users and the team's backlog.",
        {
            2027: ("12", "5", "1", "4"),
            2028: ("16", "4", "1", "5"),
            2029: ("20", "3", "1", "6"),
            2030: ("24", "2", "1", "6"),
        },
    ),
    (
        "Business analyst",
        "Digital services",
        "Maps processes and rules with program staff, writes requirements and supports user acceptance testing.",
        {
            2027: ("34", "4", "3", "20"),
            2028: ("34", "4", "3", "20"),
            2029: ("33", "3", "3", "20"),
            2030: ("32", "3", "3", "19"),
        },
    ),
    (
        "Service desk analyst",
        "Infrastructure and operations",
        "First and second line support for 38,000 state employees, by phone, chat and walk-up.",
        {
            2027: ("64", "8", "9", "55"),
            2028: ("62", "6", "8", "53"),
            2029: ("60", "5", "8", "50"),
            2030: ("58", "4", "7", "48"),
        },
    ),
    (
        "Enterprise architect",
        "Architecture",
        "Keeps the shared-services catalogue, standards and principles; advises the Architecture Review Board.",
        {
            2027: ("7", "2", "1", "4"),
            2028: ("8", "1", "1", "4"),
            2029: ("9", "1", "1", "4"),
            2030: ("9", "1", "1", "4"),
        },
    ),
    (
        "Accessibility specialist",
        "Digital services",
        "Tests and remediates web content and documents for Section 508 and WCAG 2.1 AA; trains content authors.",
        {
            2027: ("4", "3", "0", "2"),
            2028: ("6", "2", "0", "2"),
            2029: ("8", "2", "1", "3"),
            2030: ("9", "1", "1", "3"),
        },
    ),
]

SKILLS = [
    (
        "Cloud platform engineering (AWS and Azure)",
        "Cloud",
        "Designs, automates and operates workloads on the State's approved clouds.",
    ),
    (
        "Infrastructure as code",
        "Cloud",
        "Defines infrastructure in Terraform and pipelines, reviewed like application code.",
    ),
    (
        "Site reliability and observability",
        "Cloud",
        "Sets service level objectives, monitors them and leads incident reviews.",
    ),
    ("Zero trust architecture", "Security", "Designs identity-, device- and context-based access to every system."),
    (
        "Incident response and threat hunting",
        "Security",
        "Investigates alerts, contains incidents and hunts for attackers.",
    ),
    ("Cloud security posture management", "Security", "Finds and fixes misconfigurations across cloud accounts."),
    ("Data pipeline engineering", "Data", "Builds tested, monitored pipelines into the enterprise data platform."),
    (
        "Data governance and privacy engineering",
        "Data",
        "Applies data sharing agreements, consent and de-identification in code.",
    ),
    ("Product management", "Delivery", "Sets outcomes, prioritizes a backlog and measures what residents experience."),
    (
        "User research and service design",
        "Delivery",
        "Plans and runs research with residents, including people with disabilities.",
    ),
    (
        "Accessibility testing (Section 508, WCAG 2.1 AA)",
        "Delivery",
        "Tests with assistive technology and writes remediation advice.",
    ),
    ("Vendor and contract management", "Commercial", "Writes outcome-based contracts and manages suppliers to them."),
]

# role, skill, current, target, priority
GAPS = [
    ("Cloud engineer", "Cloud platform engineering (AWS and Azure)", 2, 4, "high"),
    ("Cloud engineer", "Infrastructure as code", 1, 3, "high"),
    ("Cloud engineer", "Site reliability and observability", 1, 3, "medium"),
    ("Cybersecurity analyst", "Zero trust architecture", 1, 3, "high"),
    ("Cybersecurity analyst", "Cloud security posture management", 1, 3, "high"),
    ("Cybersecurity analyst", "Incident response and threat hunting", 2, 3, "medium"),
    ("Data engineer", "Data pipeline engineering", 2, 4, "high"),
    ("Data engineer", "Data governance and privacy engineering", 1, 3, "medium"),
    ("Product manager", "Product management", 2, 3, "medium"),
    ("Product manager", "User research and service design", 1, 3, "high"),
    ("Business analyst", "User research and service design", 1, 2, "low"),
    ("Accessibility specialist", "Accessibility testing (Section 508, WCAG 2.1 AA)", 2, 4, "high"),
    ("Enterprise architect", "Vendor and contract management", 2, 3, "low"),
]

# type, title, description, role (or None), gaps [(role, skill)], cost, FY, start, end, owner, status
ACTIONS = [
    (
        "training",
        "Cloud certification cohorts",
        "Two cohorts a year of 15 engineers to associate and professional cloud certifications, with study time.",
        "Cloud engineer",
        [
            ("Cloud engineer", "Cloud platform engineering (AWS and Azure)"),
            ("Cloud engineer", "Infrastructure as code"),
        ],
        "186000.00",
        2027,
        date(2026, 9, 1),
        date(2027, 6, 30),
        "OCIO Workforce Development Manager",
        "in_progress",
    ),
    (
        "hiring",
        "Cybersecurity analyst recruitment with market pay",
        "Fill 18 analyst posts over two years with the new IT Security Specialist pay band and work samples.",
        "Cybersecurity analyst",
        [],
        "2160000.00",
        2028,
        date(2027, 7, 1),
        date(2029, 6, 30),
        "Chief Information Security Officer",
        "planned",
    ),
    (
        "contracting",
        "Managed detection and response bridge contract",
        "Two years of managed detection for nights and weekends while in-house analysts are hired and trained.",
        "Cybersecurity analyst",
        [("Cybersecurity analyst", "Incident response and threat hunting")],
        "1450000.00",
        2028,
        date(2027, 7, 1),
        date(2029, 6, 30),
        "Chief Information Security Officer",
        "planned",
    ),
    (
        "training",
        "Zero trust architecture academy",
        "A twelve-week course with labs on the State's identity platform for 25 analysts and architects.",
        None,
        [
            ("Cybersecurity analyst", "Zero trust architecture"),
            ("Cybersecurity analyst", "Cloud security posture management"),
        ],
        "240000.00",
        2027,
        date(2027, 1, 15),
        date(2027, 4, 30),
        "Deputy CISO",
        "in_progress",
    ),
    (
        "reskilling",
        "Mainframe to data engineering reskilling",
        "Sixty staff who support the DMV mainframe move into data engineering roles before the mainframe closes.",
        "Data engineer",
        [("Data engineer", "Data pipeline engineering")],
        "420000.00",
        2028,
        date(2027, 9, 1),
        date(2029, 3, 31),
        "DMV Chief Information Officer",
        "planned",
    ),
    (
        "partnering",
        "Registered IT apprenticeship with the community colleges",
        "40 paid apprentices a year in cloud, cybersecurity, data and user research; a permanent post on completion.",
        None,
        [
            ("Cloud engineer", "Site reliability and observability"),
            ("Data engineer", "Data governance and privacy engineering"),
        ],
        "1900000.00",
        2027,
        date(2026, 8, 15),
        date(2030, 6, 30),
        "OCIO Workforce Development Manager",
        "in_progress",
    ),
    (
        "training",
        "Product management and service design practice",
        "Coaching for product managers and a service design course for business analysts moving into product roles.",
        "Product manager",
        [
            ("Product manager", "User research and service design"),
            ("Business analyst", "User research and service design"),
        ],
        "135000.00",
        2028,
        date(2027, 10, 1),
        date(2028, 6, 30),
        "Chief Digital Services Officer",
        "planned",
    ),
    (
        "hiring",
        "Accessibility specialists for the web platform",
        "Three accessibility specialist posts and IAAP certification for the existing team.",
        "Accessibility specialist",
        [("Accessibility specialist", "Accessibility testing (Section 508, WCAG 2.1 AA)")],
        "310000.00",
        2028,
        date(2027, 7, 1),
        date(2028, 6, 30),
        "State Web Platform Manager",
        "planned",
    ),
]

# initiative code → {role: {fiscal year: FTE}}
NEEDS = {
    "INI-0001": {
        "Cloud engineer": {2027: "4", 2028: "4", 2029: "3"},
        "Cybersecurity analyst": {2027: "3", 2028: "3"},
        "Product manager": {2027: "2", 2028: "3", 2029: "3"},
        "Accessibility specialist": {2028: "1.5"},
    },
    "INI-0003": {
        "Business analyst": {2027: "6", 2028: "8", 2029: "5"},
        "Product manager": {2027: "2", 2028: "2"},
        "Data engineer": {2028: "3", 2029: "2"},
    },
    "INI-0004": {
        "Business analyst": {2027: "4", 2028: "5", 2029: "4"},
        "Cloud engineer": {2028: "3", 2029: "2"},
        "Data engineer": {2028: "2.5"},
    },
    "INI-0005": {
        "Cybersecurity analyst": {2027: "5", 2028: "6", 2029: "4"},
        "Enterprise architect": {2027: "1", 2028: "1"},
    },
    "INI-0006": {"Cybersecurity analyst": {2027: "3", 2028: "4", 2029: "3"}, "Cloud engineer": {2028: "2"}},
    "INI-0007": {"Cloud engineer": {2027: "6", 2028: "8"}, "Enterprise architect": {2027: "1"}},
    "INI-0008": {"Data engineer": {2027: "5", 2028: "9", 2029: "7"}, "Enterprise architect": {2028: "1"}},
    "INI-0009": {"Data engineer": {2028: "3", 2029: "3"}, "Cybersecurity analyst": {2028: "1"}},
    "INI-0022": {"Accessibility specialist": {2027: "2", 2028: "2.5", 2029: "2"}, "Product manager": {2028: "1"}},
}


def load_demo_workforce(state: Organization, users: dict[tuple[str, str], User]) -> None:
    """The state office's workforce plan, written by its editor through the services (so it is audited)."""
    editor = users[("demo-state-ocio", "editor")]
    roles: dict[str, JobRole] = {}
    for name, family, description, years in ROLES:
        role = services.create_role(
            organization=state, user=editor, fields=services.RoleFields(name, family, description)
        )
        for year, figures in years.items():
            services.add_capacity(
                role, user=editor, fields=services.CapacityFields(year, *(Decimal(f) for f in figures))
            )
        roles[name] = role
    skills = {
        name: services.create_skill(
            organization=state, user=editor, fields=services.SkillFields(name, category, description)
        )
        for name, category, description in SKILLS
    }
    gaps = {
        (role, skill): services.add_gap(
            roles[role], user=editor, skill=skills[skill], fields=services.GapFields(current, target, priority)
        )
        for role, skill, current, target, priority in GAPS
    }
    for kind, title, description, role_name, aimed, cost, year, start, end, owner, status in ACTIONS:
        fields = services.ActionFields(
            action_type=kind,
            title=title,
            description=description,
            cost=Decimal(cost),
            fiscal_year=year,
            start_date=start,
            end_date=end,
            owner=owner,
            status=status,
            role_id=roles[role_name].id if role_name else None,
            gap_ids=tuple(gaps[key].id for key in aimed),
        )
        services.create_action(organization=state, user=editor, fields=fields)
    _load_needs(state, editor, roles)


def _load_needs(state: Organization, editor: User, roles: dict[str, JobRole]) -> None:
    initiatives = {
        i.code: i
        for i in db.session.scalars(
            db.select(Initiative).where(Initiative.organization_id == state.id, Initiative.code.in_(list(NEEDS)))
        )
    }
    for code, by_role in NEEDS.items():
        initiative = initiatives.get(code)
        if initiative is None:
            continue
        for role_name, years in by_role.items():
            for year, fte in years.items():
                needs.add_need(initiative, user=editor, role=roles[role_name], fiscal_year=year, fte=Decimal(fte))
