"""A small, realistic portfolio: two goals with objectives, three initiatives, links, costs and KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.auth.models import Organization
from app.objectives.models import PolicyObjective
from app.portfolio.models import Initiative
from tests.traceability import builders as b


@dataclass
class Portfolio:
    goals: dict[str, PolicyObjective]
    objectives: dict[str, PolicyObjective]
    initiatives: dict[str, Initiative]


def build_portfolio(org: Organization) -> Portfolio:
    """G1 Digital services (G1.1, G1.2 → G1.2.1) and G2 Secure foundations (G2.1); INI-1..INI-3."""
    g1 = b.objective(org, "G1", title="Digital services residents can use")
    g11 = b.objective(org, "G1.1", parent=g1, title="One front door for permits")
    g12 = b.objective(org, "G1.2", parent=g1, title="Services in every language", position=1)
    g121 = b.objective(org, "G1.2.1", parent=g12, title="Translate the top 20 forms")
    g2 = b.objective(org, "G2", title="Secure foundations", position=1)
    g21 = b.objective(org, "G2.1", parent=g2, title="Phishing-resistant sign-in")
    ini1 = b.initiative(org, "INI-1", title="Permit portal", category="transform", start=date(2026, 10, 1))
    ini2 = b.initiative(org, "INI-2", title="Form translation", category="change", start=date(2027, 1, 15))
    ini3 = b.initiative(org, "INI-3", title="Data centre refresh", category="run", owner="", status="proposed")
    b.link(ini1, g11, "primary")
    b.link(ini1, g21, "supporting")
    b.link(ini2, g121, "primary")
    return Portfolio(
        goals={"G1": g1, "G2": g2},
        objectives={"G1.1": g11, "G1.2": g12, "G1.2.1": g121, "G2.1": g21},
        initiatives={"INI-1": ini1, "INI-2": ini2, "INI-3": ini3},
    )
