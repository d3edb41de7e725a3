"""Demo architecture data: the state office's standards, shared services and principles, which demo
initiatives reuse or deliver which services and how they answer the principles (one exception), and a
sibling agency, the Department of Health Services IT (a child of the state office), whose work overlaps
the state's so that "similar work" has something to show. Everything goes through the services (audited).
"""

from __future__ import annotations

from datetime import date

from app.architecture import services
from app.architecture.models import Principle, SharedService
from app.auth.models import Organization, Role, User
from app.auth.orgs import create_organization
from app.auth.services import create_user
from app.extensions import db
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative

HEALTH_SLUG = "demo-state-health-it"
HEALTH_NAME = "Demo State Department of Health Services IT"
# Published password: demo data is refused in production (see `flask seed demo`).
HEALTH_ADMIN = ("admin@it.health.demo-state.example", "Harper Health", "Harbor-Willow-2027")

STANDARDS = {
    "NIST SP 800-53 Rev. 5": "Security and privacy controls; moderate baseline for systems holding resident data.",
    "NIST SP 800-63-3": "Digital identity guidelines: IAL2 for benefits, AAL2 with phishing-resistant MFA for staff.",
    "OpenAPI 3.1": "Every published API is described in OpenAPI and listed in the API catalogue.",
    "WCAG 2.1 AA": "Accessibility of every resident- and staff-facing page; tested before each release.",
    "PCI DSS 4.0": "Card payments: the gateway keeps card data out of agency systems.",
    "FedRAMP Moderate": "Cloud services holding state data are FedRAMP Moderate authorized or equivalent.",
    "OGC API – Features": "Geospatial layers are published through OGC API endpoints.",
    "DoD 5015.2 / state records retention schedules": "Records management and retention for electronic records.",
}

# name, kind, lifecycle, owner, standards, shared with the health agency, description
SERVICES = (
    (
        "Identity Hub (SSO/MFA)",
        "security",
        "operate",
        "Enterprise Identity team, OCIO",
        ("NIST SP 800-63-3", "NIST SP 800-53 Rev. 5"),
        True,
        "Single sign-on and multi-factor authentication for residents (OneState Account) and staff, with identity "
        "proofing to IAL2. Agencies integrate through OpenID Connect; onboarding takes about six weeks.",
    ),
    (
        "Payments Gateway",
        "application",
        "operate",
        "Treasury Digital Payments, OCIO",
        ("PCI DSS 4.0", "OpenAPI 3.1"),
        True,
        "Card, ACH and digital-wallet payments for fees, fines and licences, reconciled daily with the state ledger.",
    ),
    (
        "Enterprise Data Platform",
        "data",
        "build",
        "Chief Data Officer",
        ("NIST SP 800-53 Rev. 5", "FedRAMP Moderate"),
        True,
        "Shared lakehouse, data catalog and governed data sharing under the Master Data Sharing Agreement.",
    ),
    (
        "Integration Platform and API Gateway",
        "integration",
        "operate",
        "Integration Services team, OCIO",
        ("OpenAPI 3.1", "NIST SP 800-53 Rev. 5"),
        True,
        "Managed API gateway, event streaming and file transfer between agency systems, "
        "with a published API catalogue.",
    ),
    (
        "Cloud Landing Zone",
        "infrastructure",
        "operate",
        "Cloud Center of Excellence, OCIO",
        ("FedRAMP Moderate", "NIST SP 800-53 Rev. 5"),
        True,
        "Pre-approved accounts, networking, logging and guardrails in two commercial clouds, with cost reporting.",
    ),
    (
        "Security Operations Center",
        "security",
        "operate",
        "Chief Information Security Officer",
        ("NIST SP 800-53 Rev. 5",),
        True,
        "24×7 monitoring, incident response and vulnerability management for every executive-branch agency.",
    ),
    (
        "Document Management Service",
        "application",
        "build",
        "Enterprise Content team, OCIO",
        ("DoD 5015.2 / state records retention schedules", "WCAG 2.1 AA"),
        True,
        "Document intake, capture, retention schedules and e-discovery, replacing 14 agency document systems.",
    ),
    (
        "GIS Platform",
        "data",
        "operate",
        "State Geographic Information Office",
        ("OGC API – Features",),
        False,
        "Statewide basemaps, address points and geocoding, published as services any agency can consume.",
    ),
    (
        "Notify (SMS and email)",
        "integration",
        "operate",
        "Digital Services team, OCIO",
        ("OpenAPI 3.1",),
        True,
        "Text-message and email notices to residents in 12 languages, with delivery tracking and opt-out handling.",
    ),
    (
        "Case Management Platform",
        "application",
        "plan",
        "Digital Services team, OCIO",
        ("WCAG 2.1 AA", "NIST SP 800-53 Rev. 5", "OpenAPI 3.1"),
        True,
        "A configurable low-code case management platform for licensing, inspections and benefits casework.",
    ),
)

PRINCIPLES = (
    (
        "Reuse before buy before build",
        "Use an existing shared service first; buy a commercial product second; "
        "build only what is unique to the State.",
        "Duplicate platforms cost the State about $18 million a year in licences and support (FY2026 IT spend review).",
        "- Proposals name the shared services they reuse.\n- Building a capability the catalogue already offers "
        "needs an exception approved by the board.",
    ),
    (
        "Cloud smart",
        "Host new workloads in the Cloud Landing Zone unless latency, cost or law requires otherwise.",
        "The secondary data center closes in FY2028; the landing zone gives security guardrails and cost reporting.",
        "- New systems are designed for the landing zone.\n- On-premises hosting needs a documented reason.",
    ),
    (
        "Secure by design",
        "Security and privacy controls are built in from the start and tested before go-live.",
        "Retrofitting controls costs more and leaves residents' data exposed in the meantime.",
        "- Every system has a security plan against NIST SP 800-53 Rev. 5.\n- Staff sign in through the Identity Hub "
        "with phishing-resistant MFA.",
    ),
    (
        "Data as an asset",
        "Data is owned, described in the catalog, quality-checked and shared under agreements.",
        "Residents expect the State to use what it already knows; decisions need trustworthy data.",
        "- Datasets have a named steward and a catalog entry.\n- Sharing goes through the Enterprise Data Platform.",
    ),
    (
        "Accessible by default",
        "Every service meets WCAG 2.1 AA and works on a phone, in plain language.",
        "One in four adults in the State lives with a disability; most residents reach services by phone.",
        "- Accessibility testing is part of every release.\n- Contracts require WCAG 2.1 AA conformance reports.",
    ),
    (
        "Open standards",
        "Systems exchange data through documented open standards and published APIs.",
        "Open interfaces avoid lock-in and let agencies connect without custom work.",
        "- APIs are described in OpenAPI 3.1 and published through the API gateway.",
    ),
    (
        "Digital first",
        "Services are designed to be completed online, end to end, with assisted channels for those who need them.",
        "Online transactions cost a fraction of counter and paper ones and are available around the clock.",
        "- Paper and counter processes are kept only as assisted channels, not as the main path.",
    ),
    (
        "Once-only data collection",
        "Residents and businesses give the State a piece of information once.",
        "Asking again for what the State holds wastes residents' time and multiplies errors.",
        "- Forms are pre-filled from consented data.\n- New collections reuse the master data records.",
    ),
)

# Demo initiative code → [(service, relation, note)]
TIES = {
    "INI-0001": [
        ("Identity Hub (SSO/MFA)", "delivers", "Extends the OneState Account to all 26 agencies."),
        ("Notify (SMS and email)", "reuses", ""),
    ],
    "INI-0002": [
        ("Case Management Platform", "delivers", "The shared case reference is the platform's first use."),
        ("Identity Hub (SSO/MFA)", "reuses", ""),
    ],
    "INI-0003": [
        ("Identity Hub (SSO/MFA)", "reuses", ""),
        ("Document Management Service", "reuses", ""),
        ("Enterprise Data Platform", "reuses", "Pre-fill and verification."),
    ],
    "INI-0004": [("Payments Gateway", "reuses", ""), ("Identity Hub (SSO/MFA)", "reuses", "")],
    "INI-0005": [("Identity Hub (SSO/MFA)", "delivers", "Phishing-resistant MFA for staff.")],
    "INI-0007": [("Cloud Landing Zone", "delivers", "")],
    "INI-0008": [("Enterprise Data Platform", "delivers", "")],
    "INI-0010": [("Document Management Service", "delivers", "")],
    "INI-0016": [("Security Operations Center", "delivers", "")],
    "INI-0022": [("Notify (SMS and email)", "reuses", ""), ("Integration Platform and API Gateway", "reuses", "")],
}
COMPLIES = ("INI-0001", "INI-0002", "INI-0003", "INI-0004")
EXCEPTION = (
    "INI-0004",
    "Cloud smart",
    "The DMV credential printing and biometric matching stay in the primary data center until the federal REAL ID "
    "audit closes in FY2028: the vendor's matching appliance is certified only on premises. Revisit at the FY2028 "
    "architecture review.",
)

HEALTH_INITIATIVES = (
    (
        "DHS-001",
        "One application for health and nutrition assistance",
        "One online application for Medicaid, SNAP and WIC, pre-filled from data the State holds, with documents "
        "uploaded once and a faster decision for families.",
        "transform",
        [("Identity Hub (SSO/MFA)", "reuses"), ("Document Management Service", "reuses")],
    ),
    (
        "DHS-002",
        "Immunization registry data exchange",
        "Real-time exchange of immunization records with clinics and pharmacies through published APIs.",
        "change",
        [("Integration Platform and API Gateway", "reuses")],
    ),
    (
        "DHS-003",
        "Vital records online ordering",
        "Order birth and death certificates online, pay by card and receive status updates by text message.",
        "transform",
        [("Payments Gateway", "reuses"), ("Notify (SMS and email)", "reuses")],
    ),
)


def load_demo_architecture(state: Organization, users: dict[tuple[str, str], User]) -> None:
    editor = users[(state.slug, "editor")]
    health, health_admin = _health_agency(state)
    standards = {
        name: services.create_standard(organization=state, user=editor, name=name, reference=reference)
        for name, reference in STANDARDS.items()
    }
    catalogue: dict[str, SharedService] = {}
    for name, kind, lifecycle, owner, followed, shared, description in SERVICES:
        catalogue[name] = services.create_service(
            organization=state,
            user=editor,
            fields=services.ServiceFields(
                name=name, kind=kind, lifecycle=lifecycle, owner=owner, description=description
            ),
            standards=[standards[s] for s in followed],
            users=[health] if shared else [],
        )
    principles = _principles(state, editor)
    initiatives = {
        i.code: i
        for i in db.session.scalars(
            db.select(Initiative).where(Initiative.organization_id == state.id, Initiative.code.in_(list(TIES)))
        )
    }
    for code, ties in TIES.items():
        if code in initiatives:
            for service, relation, note in ties:
                services.tie_service(
                    initiatives[code], user=editor, service=catalogue[service], relation=relation, note=note
                )
    for code in COMPLIES:
        if code in initiatives:
            for principle in principles.values():
                services.answer_principle(initiatives[code], user=editor, principle=principle, answer="complies")
    code, title, justification = EXCEPTION
    if code in initiatives:
        services.answer_principle(
            initiatives[code], user=editor, principle=principles[title], answer="exception", justification=justification
        )
    _health_initiatives(health, health_admin, catalogue)


def _principles(state: Organization, editor: User) -> dict[str, Principle]:
    found = {}
    for position, (title, statement, rationale, implications) in enumerate(PRINCIPLES, start=1):
        found[title] = services.create_principle(
            organization=state,
            user=editor,
            fields=services.PrincipleFields(
                title=title, statement=statement, rationale=rationale, implications=implications, position=position
            ),
        )
    return found


def _health_agency(state: Organization) -> tuple[Organization, User]:
    health = create_organization(slug=HEALTH_SLUG, name=HEALTH_NAME, parent=state)
    email, name, password = HEALTH_ADMIN
    admin = create_user(email=email, name=name, password=password, organization=health, role=Role.ADMIN)
    return health, admin


def _health_initiatives(health: Organization, admin: User, catalogue: dict[str, SharedService]) -> None:
    for code, title, summary, category, ties in HEALTH_INITIATIVES:
        initiative = portfolio_services.create_initiative(
            organization=health,
            user=admin,
            fields=portfolio_services.InitiativeFields(
                code=code,
                title=title,
                summary=summary,
                category=category,
                owner="Health Services IT Director",
                sponsor="Secretary of Health Services",
                start_date=date(2026, 10, 1),
                end_date=date(2029, 6, 30),
                funding_source="Federal financial participation (90/10 for eligibility systems)",
            ),
        )
        for service, relation in ties:
            services.tie_service(initiative, user=admin, service=catalogue[service], relation=relation)
