"""Vision, mission and values between a plan's Markdown sections and StratML's statements.

Export finds them under headings such as "Vision", "Mission" and "Guiding principles" (or "Values") in
any section; import writes them back under those headings, so an exported plan re-imports to the same
statements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.stratml.document import Value

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*\s*[-–—:.]?\s*(.*)$", re.DOTALL)
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
_LIVE_BLOCK = re.compile(r"^\s{0,3}```planwright[^\n]*\n.*?^\s{0,3}```\s*$\n?", re.MULTILINE | re.DOTALL)

VISION = re.compile(r"^(our\s+)?vision(\s+statement)?$", re.IGNORECASE)
MISSION = re.compile(r"^(our\s+)?mission(\s+statement)?$", re.IGNORECASE)
VALUES = re.compile(r"^(our\s+)?(core\s+|guiding\s+)?(values|principles)$", re.IGNORECASE)

VALUES_HEADING = "Values"


@dataclass(frozen=True)
class Block:
    heading: str
    text: str


def blocks(markdown: str) -> list[Block]:
    """Each heading with the text under it, up to the next heading (headings inside code fences ignored)."""
    found: list[Block] = []
    heading: str | None = None
    lines: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            if heading is not None:
                found.append(Block(heading, "\n".join(lines).strip()))
            heading, lines = match.group(2), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        found.append(Block(heading, "\n".join(lines).strip()))
    return found


def has_content(text: str) -> bool:
    """False for empty text and for template placeholders such as "[One sentence …]"."""
    return bool(_PLACEHOLDER.sub("", text).strip(" \n\t|-:"))


def without_live_blocks(markdown: str) -> str:
    """Text without ```planwright live-block fences: they only mean something inside Planwright."""
    return _LIVE_BLOCK.sub("", markdown).strip()


def find(bodies: Iterable[str], pattern: re.Pattern[str]) -> str:
    """The text under the first heading matching ``pattern`` that has real content."""
    for body in bodies:
        for block in blocks(body):
            if pattern.match(block.heading.strip()) and has_content(block.text):
                return block.text
    return ""


def list_items(text: str) -> list[str]:
    """The items of the Markdown lists in ``text``, each with its continuation lines."""
    items: list[list[str]] = []
    open_item = False  # whether an unindented line still continues the last item
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match:
            items.append([match.group(1).strip()])
            open_item = True
        elif not line.strip():
            open_item = False
        elif items and (open_item or line.startswith((" ", "\t"))):
            items[-1].append(line.strip())
            open_item = True
    return ["\n".join(item) for item in items]


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                rows.append(cells)
    return rows[1:]  # the first row is the heading row


def parse_value(item: str) -> Value:
    match = _BOLD_LEAD.match(item)
    if match:
        return Value(name=match.group(1).strip().rstrip(".:").strip(), description=match.group(2).strip())
    return Value(description=item.strip())


def values_in(text: str) -> list[Value]:
    """Values from a list ("**Name.** What it means") or a table (name, meaning), skipping placeholders."""
    items = [parse_value(item) for item in list_items(text)]
    if not items:
        items = [Value(name=row[0], description=row[1] if len(row) > 1 else "") for row in table_rows(text)]
    if not items and has_content(text):
        items = [Value(description=text)]
    return [
        Value(
            name=v.name if has_content(v.name) else "", description=v.description if has_content(v.description) else ""
        )
        for v in items
        if has_content(v.name) or has_content(v.description)
    ]


def find_values(bodies: Iterable[str]) -> list[Value]:
    for body in bodies:
        for block in blocks(body):
            if VALUES.match(block.heading.strip()) and (found := values_in(block.text)):
                return found
    return []


def statements_markdown(vision: str, mission: str, values: list[Value]) -> str:
    """The section text import writes; ``find`` and ``find_values`` read the same statements back."""
    parts = []
    if vision:
        parts.append(f"### Vision\n\n{vision}")
    if mission:
        parts.append(f"### Mission\n\n{mission}")
    if values:
        parts.append(f"### {VALUES_HEADING}\n\n" + "\n".join(_value_item(n, v) for n, v in enumerate(values, 1)))
    return "\n\n".join(parts)


def _value_item(number: int, value: Value) -> str:
    name = value.name.replace("**", "").strip()
    description = "\n   ".join(value.description.splitlines())
    if not name:
        return f"{number}. {description}"
    return f"{number}. **{name}.** {description}".rstrip()
