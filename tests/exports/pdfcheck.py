"""Reading rendered PDFs in tests: text, outline, fonts, watermark, PDF/UA check."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf

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
