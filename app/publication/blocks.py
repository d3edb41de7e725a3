"""Live blocks on the public site: drawn from the published rows only (app/publication/content.py), never from
the database. Blocks that show internal working data (gaps, matrix, workforce, architecture…) are left out
with a note."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from app.core.markdown import render_markdown
from app.portfolio.blocks import BlockCall, BlockError, is_block, parse_block
from app.publication.content import ZERO, PublicPlan

PUBLIC_BLOCKS = ("objectives", "initiatives", "roadmap", "budget")


class PublicBlocks:
    """A ``fence_renderer`` for ``render_markdown`` that shows a published plan's blocks."""

    def __init__(self, content: PublicPlan) -> None:
        self.content = content

    def __call__(self, info: str, body: str) -> Markup | None:
        if not is_block(info):
            return None  # an ordinary code block
        try:
            call = parse_block(info)
        except BlockError:
            return self._note("A data view in this section could not be shown.")
        if call.name not in PUBLIC_BLOCKS:
            return self._note(
                "This part of the plan shows internal working data and is not part of the public edition. "
                "The plan's open data lists its objectives, KPIs and initiatives."
            )
        return Markup(render_template("publication/_block.html", name=call.name, **self._context(call)))  # noqa: S704 - autoescaped template

    def _note(self, text: str) -> Markup:
        return Markup(render_template("publication/_block.html", name="note", note=text))  # noqa: S704 - autoescaped template

    def _context(self, call: BlockCall) -> dict[str, Any]:
        rows = self.content.rows
        if call.name == "objectives":
            chosen = _under(rows["objectives"], call.options.get("objective"))
            return {"objectives": chosen, "kpis": rows["kpis"]}
        if call.name == "budget":
            return {"budget": budget(rows["initiatives"], rows["costs"])}
        return {"initiatives": filtered(rows["initiatives"], call.options)}


def render_section(content: PublicPlan, body: str) -> Markup:
    return render_markdown(body, fence_renderer=PublicBlocks(content))


def _values(raw: str | None) -> set[str]:
    return {v.strip().lower().replace("-", "_") for v in (raw or "").split(",") if v.strip()}


def _under(objectives: list[dict[str, Any]], code: str | None) -> list[dict[str, Any]]:
    if not code:
        return objectives
    return [o for o in objectives if o["code"] == code or str(o["code"]).startswith(f"{code}.")]


def filtered(initiatives: list[dict[str, Any]], options: dict[str, str]) -> list[dict[str, Any]]:
    """The block's ``status=``, ``category=`` and ``objective=`` filters applied to the published rows."""
    statuses, categories, objective = (
        _values(options.get("status")),
        _values(options.get("category")),
        options.get("objective"),
    )
    chosen = []
    for row in initiatives:
        serves = f"{row['primary_objectives']} {row['supporting_objectives']}".split()
        if statuses and row["status"] not in statuses:
            continue
        if categories and row["category"] not in categories:
            continue
        if objective and not any(code == objective or code.startswith(f"{objective}.") for code in serves):
            continue
        chosen.append(row)
    return chosen


def budget(initiatives: list[dict[str, Any]], costs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Planned capital and operating cost per fiscal year and category, from the published cost rows."""
    category = {row["code"]: row["category"] for row in initiatives}
    years: dict[int, dict[str, Any]] = {}
    for cost in costs:
        year = years.setdefault(
            cost["fiscal_year"], {"fiscal_year": cost["fiscal_year"], "capital": ZERO, "operating": ZERO}
        )
        kind = category.get(cost["initiative_code"], "")
        year["capital"] += cost["capital"]
        year["operating"] += cost["operating"]
        year[kind] = year.get(kind, ZERO) + cost["capital"] + cost["operating"]
    return [years[y] for y in sorted(years)]
