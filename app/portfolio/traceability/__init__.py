"""Traceability of a plan: the objectives × initiatives matrix, the gaps report and the portfolio balance.

Every query here runs a fixed number of statements whatever the number of objectives, initiatives,
links, KPIs or costs: filters are SQL expressions from the plan's scope (``app.plans.scope``), sums
and counts are SQL aggregates, and long lists are cut to a page in SQL.
"""

from app.portfolio.traceability.balance import Balance, BudgetLine, YearBudget, balance, budget_by_year
from app.portfolio.traceability.gaps import (
    GAP_LIMIT,
    HIGH_RISK_SCORE,
    GapList,
    Gaps,
    RiskGap,
    StaleKpi,
    gaps,
    stale_kpis,
)
from app.portfolio.traceability.matrix import (
    COLUMNS_PER_PAGE,
    Coverage,
    GoalSummary,
    GoalTable,
    InitiativeRef,
    Matrix,
    ObjectiveNode,
    coverage,
    first_pages,
    goal_summaries,
    goal_tables,
    matrix,
    objective_tree,
    subtree_ids,
)

__all__ = [
    "COLUMNS_PER_PAGE",
    "GAP_LIMIT",
    "HIGH_RISK_SCORE",
    "Balance",
    "BudgetLine",
    "Coverage",
    "GapList",
    "Gaps",
    "GoalSummary",
    "GoalTable",
    "InitiativeRef",
    "Matrix",
    "ObjectiveNode",
    "RiskGap",
    "StaleKpi",
    "YearBudget",
    "balance",
    "budget_by_year",
    "coverage",
    "first_pages",
    "gaps",
    "goal_summaries",
    "goal_tables",
    "matrix",
    "objective_tree",
    "stale_kpis",
    "subtree_ids",
]
