"""axe-core for the browser tests: the rules of WCAG 2.0 and 2.1, levels A and AA, run inside a loaded page.

axe is run with ``page.evaluate``: the DevTools protocol evaluates it inside the page without a ``<script>``
element, so the page keeps its real Content-Security-Policy (script-src 'self'). A ``<script>`` tag added by
the test would be refused by that policy, and ``bypass_csp`` would switch the policy off, which could let
inline styles the real page never gets change what axe measures.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        targets: v.nodes.map(n => n.target.join(' '))}));
}"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `make assets` (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Every violation axe finds in the page as it is now: id, impact, help text and target selectors."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return list(page.evaluate(_RUN, WCAG_TAGS))


def serious(violations: list[dict[str, Any]], where: str) -> list[str]:
    """The serious and critical violations, one line each: page, rule, impact, what to fix and where."""
    return [
        f"{where}: {v['id']} [{v['impact']}] {v['help']} -> {'; '.join(v['targets'][:8])}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


def blocking(page: Any, where: str) -> list[str]:
    """The serious and critical violations in the page as it is now."""
    return serious(run_axe(page), where)
