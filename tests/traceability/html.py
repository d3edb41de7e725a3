"""Reading pages as people do: what a screen reader announces, and what a sighted reader sees."""

from __future__ import annotations

from collections.abc import Callable

from tests.plans.html import Element, squash


def spoken(element: Element) -> str:
    """Text a screen reader announces: everything except aria-hidden parts."""
    return squash(_text(element, lambda e: e.attrs.get("aria-hidden") == "true"))


def seen(element: Element) -> str:
    """Text on screen: everything except visually hidden (usa-sr-only) parts."""
    return squash(_text(element, lambda e: "usa-sr-only" in (e.attrs.get("class") or "").split()))


def _text(element: Element, hidden: Callable[[Element], bool]) -> str:
    if hidden(element):
        return ""
    return "".join(c if isinstance(c, str) else _text(c, hidden) for c in element.children)


def grid(table: Element, read=spoken) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The table row by row (header row first), each cell as ``read`` gives it."""
    return [
        [read(cell) for cell in row.children if isinstance(cell, Element) and cell.tag in ("th", "td")]
        for row in table.find_all("tr")
    ]
