"""The one post-processing step after WeasyPrint: what a screen reader needs that WeasyPrint 70 does not write.

WeasyPrint tags the document (headings, lists, tables, figures, links) but leaves four gaps, closed here with
pikepdf on the finished file (0.3–0.5 s of CPU on the 44-page demo plan, under a tenth of its render):

* **Running heads and footers.** Margin-box text is marked with an MCID whose structure element hangs outside
  the tree (WeasyPrint can only mark it as an artifact in PDF 2.0), so readers that follow the content read
  "Page 3 of 52" on every page. Every marked-content sequence whose element is not reachable from the tree root
  becomes ``/Artifact <</Type /Pagination>>`` and leaves the parent tree.
* **Contents-page leader dots.** ``leader('.')`` draws each dot as its own tagged text; sequences that show
  only the leader glyph, two or more in one element, become ``/Artifact <</Type /Layout>>``.
* **Table headers.** Header cells get ``/Scope`` (Row when a data cell of the same row names it, else Column)
  and the tree root an ``/IDTree``, so the ``/Headers`` ids WeasyPrint writes on data cells resolve.
* **Link descriptions.** WeasyPrint describes a link by its target id (``section-7``); each link annotation
  gets the visible text of its link instead, with the page it leads to (``Cybersecurity, page 12``).

Two smaller repairs of the tag tree go with them: the Link elements WeasyPrint nests for a link's ``::after``
content become one Link per ``<a>`` (a contents row was announced as three links), and a table caption left
alone at the foot of a page (tagged as a table without rows) joins the rows on the next page.

The content streams are edited as bytes: WeasyPrint (through pydyf) writes every marked-content opening as
``/Tag\\n<</MCID n>>\\nBDC`` on lines of their own, and glyphs only as hex strings, so the patterns below cannot
match inside text. A PDF without a structure tree is returned unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pikepdf

LEADER = "."  # the character of leader('.') in print.css
MIN_LEADER_DOTS = 2  # a lone full stop after inline markup is text, a run of them in one element is a leader
_MARK = re.compile(rb"^/\w+\n<</MCID (\d+)>>\nBDC\n", re.M)
# Marked content that shows one glyph: a few lines of colour, BT and position (never another BDC or EMC), then
# the font, one glyph code (Identity-H: two bytes) and the end. Each leader dot is drawn like this.
_ONE_GLYPH = re.compile(
    rb"^/\w+\n<</MCID (\d+)>>\nBDC\n(?:(?!BDC\n|EMC\n)[^\n]*\n){0,4}?"
    rb"/(\S+) [\d.]+ Tf\n\[<([0-9a-fA-F]{4})>[-\d. ]*\] TJ\nET\nEMC$",
    re.M,
)
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
PAGINATION = b"/Artifact\n<</Type /Pagination>>\nBDC\n"
LAYOUT = b"/Artifact\n<</Type /Layout>>\nBDC\n"


def make_accessible(pdf: bytes, link_descriptions: Sequence[Sequence[str]] = ()) -> bytes:
    """``pdf`` with pagination and leaders as artifacts, resolvable table headers and described links.

    ``link_descriptions`` holds, for each page, the description of each of its link annotations in order (see
    ``render.link_descriptions``); pages without one keep a description built from the link's destination.
    """
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.get("/StructTreeRoot")
        if tree is None:
            return pdf
        elements = list(_elements(tree))
        reachable = {element.objgen for element in elements}
        by_page = _parent_tree(tree)
        for page in doc.pages:
            _mark_artifacts(page, by_page.get(_struct_parents(page.obj)), reachable)
        _flatten_links(doc, tree, elements)
        _scope_table_headers(doc, tree, elements)
        _describe_links(doc, link_descriptions)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()


def _elements(tree: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """Every structure element below the root, parents before children, each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [tree.get("/K")]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
            yield node
            stack.append(node.get("/K"))


def _struct_parents(page: pikepdf.Object) -> int:
    return int(page.get("/StructParents", -1))


def _parent_tree(tree: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """A page's /StructParents → array of structure elements by MCID (WeasyPrint writes a flat /Nums)."""
    nums = tree.ParentTree.get("/Nums") or pikepdf.Array()
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2) if isinstance(nums[i + 1], pikepdf.Array)}


def _dot_codes(page: pikepdf.Page) -> dict[bytes, set[bytes]]:
    """Font resource name → the glyph codes (hex, lower case) its ToUnicode map turns into the leader character."""
    wanted = LEADER.encode("utf-16-be").hex().encode()
    found: dict[bytes, set[bytes]] = {}
    for name, font in (page.Resources.get("/Font") or {}).items():
        to_unicode = font.get("/ToUnicode")
        if isinstance(to_unicode, pikepdf.Stream):
            cmap = to_unicode.read_bytes()
            codes = {code.lower() for code, text in _BFCHAR.findall(cmap) if text.lower() == wanted}
            found[name.lstrip("/").encode()] = codes
    return found


def _mark_artifacts(page: pikepdf.Page, elements: pikepdf.Object | None, reachable: set[tuple[int, int]]) -> None:
    """Re-mark running heads, footers and leader dots on ``page`` as artifacts and drop them from the tree."""
    contents = page.obj.get("/Contents")
    if elements is None or not isinstance(contents, pikepdf.Stream):
        return
    stream = contents.read_bytes()
    marks = list(_MARK.finditer(stream))
    by_mcid = list(elements)
    replaced: dict[int, bytes] = {}
    for match in marks:
        mcid = int(match.group(1))
        element = by_mcid[mcid] if mcid < len(by_mcid) else None
        if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
            replaced[mcid] = PAGINATION
    dots = _dot_codes(page)
    leaders: dict[tuple[int, int], list[int]] = {}
    for match in _ONE_GLYPH.finditer(stream):
        mcid, font, code = int(match.group(1)), match.group(2), match.group(3).lower()
        if mcid not in replaced and mcid < len(by_mcid) and code in dots.get(font, ()):
            leaders.setdefault(by_mcid[mcid].objgen, []).append(mcid)
    for mcids in leaders.values():
        if len(mcids) >= MIN_LEADER_DOTS:
            replaced.update(dict.fromkeys(mcids, LAYOUT))
    if not replaced:
        return
    _drop_from_tree(elements, by_mcid, set(replaced))
    pieces, start = [], 0
    for match in marks:
        mcid = int(match.group(1))
        if mcid in replaced:
            pieces += [stream[start : match.start()], replaced[mcid]]
            start = match.end()
    pieces.append(stream[start:])
    contents.write(b"".join(pieces))


def _drop_from_tree(elements: pikepdf.Object, by_mcid: list[Any], mcids: set[int]) -> None:
    """Take ``mcids`` out of the parent tree and out of their elements' kids (each element rewritten once)."""
    owners = {}
    for mcid in mcids:
        element = by_mcid[mcid]
        if isinstance(element, pikepdf.Dictionary):
            owners[element.objgen] = element
        by_mcid[mcid] = None
    for element in owners.values():
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            element.K = pikepdf.Array([k for k in kids if not (isinstance(k, int) and int(k) in mcids)])
    elements[:] = [None if item is None else item for item in by_mcid]


def _flatten_links(doc: pikepdf.Pdf, tree: pikepdf.Object, elements: list[pikepdf.Object]) -> None:
    """One link element per ``<a>``: WeasyPrint nests a Link for its ``::after`` (and one for a leader in it)
    inside the link's own, so a reader announced a contents row as three links. The inner elements' content and
    annotations move up into the outer Link (one link with several clickable areas)."""
    by_page = _parent_tree(tree)
    page_index = {page.obj.objgen: _struct_parents(page.obj) for page in doc.pages}
    nums = tree.ParentTree.Nums
    slots = {int(nums[i]): i + 1 for i in range(0, len(nums) - 1, 2) if not isinstance(nums[i + 1], pikepdf.Array)}
    for element in reversed(elements):  # children first, so chains of nested links collapse into the outermost
        parent = element.get("/P")
        if element.get("/S") != "/Link" or not isinstance(parent, pikepdf.Dictionary) or parent.get("/S") != "/Link":
            continue
        kids = list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]
        mcids = by_page.get(page_index.get(element.Pg.objgen, -1)) if "/Pg" in element else None
        for kid in kids:
            if isinstance(kid, int) and mcids is not None:
                mcids[int(kid)] = parent
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                slot = slots.get(int(kid.Obj.get("/StructParent", -1)))
                if slot is not None:
                    nums[slot] = parent
            elif isinstance(kid, pikepdf.Dictionary):
                kid.P = parent
        siblings = list(parent.K) if isinstance(parent.K, pikepdf.Array) else [parent.K]
        spot = next(i for i, sibling in enumerate(siblings) if _same(sibling, element))
        parent.K = pikepdf.Array(siblings[:spot] + kids + siblings[spot + 1 :])


def _rows(table: pikepdf.Object) -> Iterator[pikepdf.Object]:
    for kid in _kids(table):
        if kid.get("/S") == "/TR":
            yield kid
        elif kid.get("/S") in ("/THead", "/TBody", "/TFoot"):
            yield from _rows(kid)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _scope_table_headers(doc: pikepdf.Pdf, tree: pikepdf.Object, elements: list[pikepdf.Object]) -> None:
    """``/Scope`` on every header cell, and an ``/IDTree`` so data cells' ``/Headers`` ids resolve."""
    ids: dict[str, pikepdf.Object] = {}
    waiting: list[pikepdf.Object] = []  # tables whose caption stayed on a page and whose rows went on
    for element in elements:
        if "/ID" in element:
            ids[bytes(element.ID).decode("latin-1")] = element
        if element.get("/S") != "/Table":
            continue
        rows = list(_rows(element))
        if not rows:
            waiting.append(element)
            continue
        for orphan in waiting:
            _move_caption(orphan, element)
        waiting = []
        for row in rows:
            cells = _kids(row)
            named_in_row = {
                bytes(name) for cell in cells if cell.get("/S") == "/TD" for name in _attribute(cell, "/Headers")
            }
            for cell in cells:
                if cell.get("/S") == "/TH":
                    attributes = cell.get("/A")
                    if not isinstance(attributes, pikepdf.Dictionary):
                        attributes = cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
                    row_header = "/ID" in cell and bytes(cell.ID) in named_in_row
                    attributes.Scope = pikepdf.Name.Row if row_header else pikepdf.Name.Column
    if ids:
        names = pikepdf.NameTree.new(doc)
        for key in sorted(ids):
            names[key] = ids[key]
        tree.IDTree = names.obj


def _move_caption(orphan: pikepdf.Object, table: pikepdf.Object) -> None:
    """Put a caption left alone at the foot of a page (WeasyPrint tags it as a table of its own) in front of
    the rows it names, and take the empty table out of the tree."""
    captions = [kid for kid in _kids(orphan) if kid.get("/S") == "/Caption"]
    for caption in captions:
        caption.P = table
    table.K = pikepdf.Array(captions + list(table.K if isinstance(table.K, pikepdf.Array) else [table.K]))
    parent = orphan.get("/P")
    if isinstance(parent, pikepdf.Dictionary) and isinstance(parent.get("/K"), pikepdf.Array):
        parent.K = pikepdf.Array([kid for kid in parent.K if not _same(kid, orphan)])


def _attribute(element: pikepdf.Object, key: str) -> list[Any]:
    attributes = element.get("/A")
    value = attributes.get(key) if isinstance(attributes, pikepdf.Dictionary) else None
    return list(value) if isinstance(value, pikepdf.Array) else []


def _describe_links(doc: pikepdf.Pdf, descriptions: Sequence[Sequence[str]]) -> None:
    destinations = _named_destination_pages(doc)
    for index, page in enumerate(doc.pages):
        links = [a for a in page.obj.get("/Annots") or [] if a.get("/Subtype") == "/Link"]
        given = list(descriptions[index]) if index < len(descriptions) else []
        if len(given) != len(links):
            given = [_fallback_description(link, destinations) for link in links]
        for link, text in zip(links, given, strict=True):
            link.Contents = pikepdf.String(text)


def _named_destination_pages(doc: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.obj.objgen: number for number, page in enumerate(doc.pages, start=1)}
    found = {}
    names = doc.Root.get("/Names")
    if names is not None and "/Dests" in names:
        for name, target in pikepdf.NameTree(names.Dests).items():
            array = target.get("/D") if isinstance(target, pikepdf.Dictionary) else target
            if isinstance(array, pikepdf.Array) and len(array) and array[0].objgen in pages:
                found[str(name)] = pages[array[0].objgen]
    return found


def _fallback_description(link: pikepdf.Object, destinations: dict[str, int]) -> str:
    action = link.get("/A")
    if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
        return f"Link to {action.URI}"
    page = destinations.get(str(link.get("/Dest", "")))
    return f"Go to page {page}" if page else "Link within this document"


def _same(item: Any, element: pikepdf.Object) -> bool:
    return isinstance(item, pikepdf.Dictionary) and item.objgen == element.objgen
