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
