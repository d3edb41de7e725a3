"""Traceability of a plan: the objectives × initiatives matrix, the gaps report and the portfolio balance.

Every query here runs a fixed number of statements whatever the number of objectives, initiatives,
links, KPIs or costs: filters are SQL expressions from the plan's scope (``app.plans.scope``) and
sums are SQL aggregates.
"""

from app.portfolio.traceability.balance import Balance, BudgetLine, YearBudget, balance, budget_by_year
from app.portfolio.traceability.gaps import HIGH_RISK_SCORE, Gaps, RiskGap, StaleKpi, gaps, stale_kpis
from app.portfolio.traceability.matrix import (
    GoalTable,
    InitiativeRef,
    Link,
    ObjectiveNode,
    goal_tables,
    matrix,
    objective_tree,
    scoped_links,
    subtree_ids,
)

__all__ = [
    "HIGH_RISK_SCORE",
    "Balance",
    "BudgetLine",
    "Gaps",
    "GoalTable",
    "InitiativeRef",
    "Link",
    "ObjectiveNode",
    "RiskGap",
    "StaleKpi",
    "YearBudget",
    "balance",
    "budget_by_year",
    "gaps",
    "goal_tables",
    "matrix",
    "objective_tree",
    "scoped_links",
    "stale_kpis",
    "subtree_ids",
]
