"""Reading rendered PDFs in tests: text, outline, fonts, watermark, PDF/UA check."""

from __future__ import annotations

import ctypes
import io
import re
import tempfile
from dataclasses import dataclass

import page
import pdfua
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

WATERMARK_FILL = b"0.619608 0.639216 0.658824 rg"  # the DRAFT paths' colour (templates/exports/assets)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(pdf).pages]


def outline_pages(pdf: bytes) -> dict[str, int]:
    """Every outline (bookmark) title with its 1-based page."""
    found: dict[str, int] = {}
    doc = reader(pdf)

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.setdefault(item.title.strip(), doc.get_destination_page_number(item) + 1)

    walk(doc.outline)
    return found


def toc_numbers(text: str) -> dict[str, int]:
    """``Title ..... 12`` lines of the contents page."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^(.*?)\s*\.{3,}\s*(\d+)\s*$", line)
        if match:
            rows[match.group(1).strip()] = int(match.group(2))
    return rows


def watermarked_pages(pdf: bytes) -> list[int]:
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            xobjects = page.Resources.get("/XObject") or {}
            contents = [page.Contents.read_bytes() if isinstance(page.Contents, pikepdf.Stream) else b""]
            contents += [x.read_bytes() for _, x in xobjects.items() if x.get("/Subtype") == "/Form"]
            if any(WATERMARK_FILL in c for c in contents):
                found.append(number)
    return found


def unembedded_fonts(pdf: bytes) -> list[str]:
    missing = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            fonts = page.Resources.get("/Font") or {}
            for _, font in fonts.items():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants is not None else font
                descriptor = target.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(font.get("/BaseFont")))
    return sorted(set(missing))


def embedded_files(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return list(doc.attachments.keys())


def figures(pdf: bytes) -> list[tuple[str, str | None]]:
    """Every /Figure element of the tag tree with its /Alt text (None when it has none)."""
    found: list[tuple[str, str | None]] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.get("/StructTreeRoot")
        if root is None:
            return found
        stack = [root]
        seen: set[tuple[int, int]] = set()
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if node.get("/S") == "/Figure":
                alt = node.get("/Alt")
                found.append((str(node.get("/S")), str(alt) if alt is not None else None))
            kids = node.get("/K")
            if kids is not None:
                stack.append(kids)
    return found


def xmp(pdf: bytes, key: str) -> str | None:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        value = doc.open_metadata().get(key)
        return str(value) if value is not None else None


def attachment_bytes(pdf: bytes, name: str) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return bytes(doc.attachments[name].get_file().read_bytes())


def image_count(pdf: bytes, page_number: int = 1) -> int:
    """Image XObjects drawn on a page (directly or inside its form XObjects)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[page_number - 1]
        count = 0
        stack = [page.Resources]
        while stack:
            resources = stack.pop()
            for _, x in (resources.get("/XObject") or {}).items():
                if x.get("/Subtype") == "/Image":
                    count += 1
                elif x.get("/Subtype") == "/Form" and "/Resources" in x:
                    stack.append(x.Resources)
        return count


def font_names(pdf: bytes) -> set[str]:
    """Base names of every font the pages draw with, in form XObjects and patterns too, subset tag removed."""
    names: set[str] = set()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stack = [page.Resources for page in doc.pages]
        seen: set[tuple[int, int]] = set()
        while stack:
            resources = stack.pop()
            if resources.is_indirect:
                if resources.objgen in seen:
                    continue
                seen.add(resources.objgen)
            for _, font in (resources.get("/Font") or {}).items():
                names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont")).lstrip("/")))
            for group in ("/XObject", "/Pattern"):
                for _, item in (resources.get(group) or {}).items():
                    if "/Resources" in item:
                        stack.append(item.Resources)
    return names


def links(pdf: bytes) -> list[tuple[int, str]]:
    """Every link annotation as (page, target): ``#internal`` for a destination in the file, else its URI."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for annotation in page.get("/Annots") or []:
                if annotation.get("/Subtype") != "/Link":
                    continue
                action = annotation.get("/A")
                if action is not None and "/URI" in action:
                    found.append((number, str(action.URI)))
                else:
                    found.append((number, "#internal"))
    return found


# --- screen-reader checks (issue: PDF/UA in fact, not in name) ---


def validator_failures(pdf: bytes, profile: str) -> list[str]:
    """page-validation's failed rules for ``profile`` (``ua1``, ``3a``...)."""
    return [f"{f.rule_id}: {f.message}" for f in page.validate_pdf_bytes(pdf, profile=profile).failures]


# pdfua 0.1.3 cannot run its empty-heading rule on pikepdf 10 (it asks an array for ``is_integer``, which
# pikepdf answers with ValueError, not AttributeError) on any file whose elements list their kids in an array,
# i.e. every file WeasyPrint writes. page-validation checks headings (PDFUA1-HEADING-*) meanwhile.
PDFUA_RULES_THAT_CANNOT_RUN = {"UA-14-001"}


def pdfua_findings(pdf: bytes) -> list[str]:
    """Every finding of the ``pdfua`` package (a second checker, pikepdf-based), warnings included, and any
    rule it could not run besides the known one."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        report = pdfua.validate(file.name)
    found = [f"{f.rule_id}: {f.message} ({f.location.describe()})" for f in report.findings]
    skipped = [o for o in report.skipped if o.rule_id not in PDFUA_RULES_THAT_CANNOT_RUN]
    return found + [f"{o.rule_id} not run: {o.skipped_reason}" for o in skipped]


def _struct_elements(root: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found, seen, stack = [], set(), [root.get("/K")]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node and node.objgen not in seen:
            seen.add(node.objgen)
            found.append(node)
            stack.append(node.get("/K"))
    return found


def _kid_elements(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _table_rows(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    rows = []
    for kid in _kid_elements(element):
        if kid.get("/S") == "/TR":
            rows.append(kid)
        elif kid.get("/S") in ("/THead", "/TBody", "/TFoot"):
            rows += _table_rows(kid)
    return rows


def _id_tree(root: pikepdf.Dictionary) -> dict[bytes, pikepdf.Dictionary]:
    tree = root.get("/IDTree")
    return {} if tree is None else {k.encode("latin-1"): v for k, v in pikepdf.NameTree(tree).items()}


def table_header_problems(pdf: bytes) -> tuple[int, list[str]]:
    """(number of tables, what keeps a reader from announcing a data cell's headers).

    Walks the tag tree like a screen reader: every header cell (TH) needs ``/Scope`` (Row, Column or Both) or
    ``/Headers``; every data cell (TD) of a table with headers needs one, found either through ``/Headers``
    ids that resolve (IDTree) to TH cells of the same table, or through a scoped TH in its row or column.
    """
    problems: list[str] = []
    tables = 0
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.StructTreeRoot
        ids = _id_tree(root)
        for table in (e for e in _struct_elements(root) if e.get("/S") == "/Table"):
            tables += 1
            rows = [_kid_elements(row) for row in _table_rows(table)]
            if not rows:
                problems.append(f"table {table.objgen}: no rows")
                continue
            header_ids = {bytes(c.ID) for row in rows for c in row if c.get("/S") == "/TH" and "/ID" in c}
            column_headers, row_headers = set(), set()
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    if cell.get("/S") != "/TH":
                        continue
                    scope = str((cell.get("/A") or {}).get("/Scope", ""))
                    if scope not in ("/Row", "/Column", "/Both") and not _cell_headers(cell):
                        problems.append(f"table {table.objgen} row {i}: header cell without /Scope")
                    if scope in ("/Column", "/Both"):
                        column_headers.add(j)
                    if scope in ("/Row", "/Both"):
                        row_headers.add(i)
            if not header_ids and not column_headers and not row_headers:
                continue  # a table without header cells: nothing to announce
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    if cell.get("/S") != "/TD":
                        continue
                    names = _cell_headers(cell)
                    unresolved = [n for n in names if n not in ids or ids[n].get("/S") != "/TH" or n not in header_ids]
                    if unresolved:
                        problems.append(f"table {table.objgen} cell {i},{j}: /Headers {unresolved} do not resolve")
                    elif not names and j not in column_headers and i not in row_headers:
                        problems.append(f"table {table.objgen} cell {i},{j}: no header announces it")
    return tables, problems


def _cell_headers(cell: pikepdf.Dictionary) -> list[bytes]:
    attributes = cell.get("/A")
    names = attributes.get("/Headers") if isinstance(attributes, pikepdf.Dictionary) else None
    return [bytes(n) for n in names] if isinstance(names, pikepdf.Array) else []


def _wide(function, *args) -> str:  # type: ignore[no-untyped-def]
    size = function(*args, None, 0)
    buffer = (ctypes.c_ushort * max(size, 1))()
    function(*args, buffer, size)
    return bytes(buffer)[: 2 * size].decode("utf-16-le").rstrip("\x00")


def _mark_names(obj) -> list[str]:  # type: ignore[no-untyped-def]
    names = []
    for i in range(pdfium_raw.FPDFPageObj_CountMarks(obj.raw)):
        mark = pdfium_raw.FPDFPageObj_GetMark(obj.raw, i)
        size = ctypes.c_ulong()
        pdfium_raw.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(size))
        buffer = (ctypes.c_ushort * max(size.value // 2, 1))()
        pdfium_raw.FPDFPageObjMark_GetName(mark, buffer, size, ctypes.byref(size))
        names.append(bytes(buffer)[: size.value].decode("utf-16-le").rstrip("\x00"))
    return names


@dataclass
class MarkedText:
    """Each page's text, split the way a screen reader sees it."""

    tagged: list[list[str]]  # text in marked content whose element is in the tag tree: what is read out
    artifacts: list[list[str]]  # text marked /Artifact: drawn, never read
    loose: list[str]  # "page n: text" marked neither way, or tagged to an element outside the tree


def marked_text(pdf: bytes) -> MarkedText:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.StructTreeRoot
        reachable = {e.objgen for e in _struct_elements(root)}
        nums = root.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
        in_tree = []
        for page_obj in doc.pages:
            mcids = parents.get(int(page_obj.obj.get("/StructParents", -1)))
            in_tree.append(
                {
                    n
                    for n, e in enumerate(mcids if isinstance(mcids, pikepdf.Array) else [])
                    if isinstance(e, pikepdf.Dictionary) and e.objgen in reachable
                }
            )
    result = MarkedText(tagged=[], artifacts=[], loose=[])
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page_ = document[index]
            textpage = page_.get_textpage()
            tagged, artifacts = [], []
            for obj in page_.get_objects(max_depth=1):
                text = ""
                if obj.type == pdfium_raw.FPDF_PAGEOBJ_TEXT:
                    text = _wide(pdfium_raw.FPDFTextObj_GetText, obj.raw, textpage.raw)
                if "Artifact" in _mark_names(obj):
                    artifacts.append(text)
                    continue
                mcid = pdfium_raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                if mcid in in_tree[index]:
                    tagged.append(text)
                else:
                    result.loose.append(f"page {index + 1}: {obj.type} {text!r}")
            result.tagged.append([t for t in tagged if t.strip()])
            result.artifacts.append([t for t in artifacts if t.strip()])
    finally:
        document.close()
    return result


def link_annotation_contents(pdf: bytes) -> list[tuple[int, str | None]]:
    """(page, /Contents) of every link annotation."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [
            (number, str(a.Contents) if "/Contents" in a else None)
            for number, page_obj in enumerate(doc.pages, start=1)
            for a in page_obj.get("/Annots") or []
            if a.get("/Subtype") == "/Link"
        ]


def parent_tree_problems(pdf: bytes) -> list[str]:
    """Where the parent tree and the tag tree disagree: every element a page's MCID or an annotation's
    /StructParent points to must hold that MCID or annotation and be in the tree."""
    problems = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.StructTreeRoot
        reachable = {e.objgen for e in _struct_elements(root)}
        nums = root.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
        for index, page_obj in enumerate(doc.pages):
            mcids = entries.get(int(page_obj.obj.StructParents))
            for mcid, element in enumerate(mcids if isinstance(mcids, pikepdf.Array) else []):
                if isinstance(element, pikepdf.Dictionary) and element.objgen in reachable:
                    kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                    if not any(isinstance(k, int) and int(k) == mcid for k in kids):
                        problems.append(f"page {index + 1} mcid {mcid}: its element does not hold it")
            for annotation in page_obj.get("/Annots") or []:
                element = entries.get(int(annotation.get("/StructParent", -1)))
                if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                    problems.append(f"page {index + 1}: an annotation outside the tag tree")
                    continue
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                if not any(isinstance(k, pikepdf.Dictionary) and _is(k.get("/Obj"), annotation) for k in kids):
                    problems.append(f"page {index + 1}: an annotation's element does not hold it")
    return problems


def _is(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a is not None and b is not None and a.objgen == b.objgen
