"""R24: no user-controlled value makes the PDF renderer read a local file or call a network service.

Vectors point only at a canary HTTP server this test starts on 127.0.0.1 and at a local canary file.
"""

from __future__ import annotations

import http.server
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.auth.models import Role
from app.exports.pdf.documents import plan_document
from app.exports.pdf.fetcher import SafeURLFetcher
from app.exports.pdf.render import render_pdf
from app.extensions import db
from app.plans import services as plan_services
from tests.exports.pdfcheck import embedded_files, page_texts
from tests.factories import create_org, create_plan, create_user

RENDER_LIMIT_SECONDS = 30


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the test

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"CANARY-HTTP-BODY")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canary_server() -> Iterator[int]:
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary_file(tmp_path: Path) -> tuple[Path, str]:
    secret = f"CANARY-FILE-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(f"root:x:0:0 {secret}\n")
    return path, secret


def vectors(port: int, path: Path) -> list[str]:
    http_base = f"http://127.0.0.1:{port}"
    relative = "../" * 12 + str(path).lstrip("/")
    big = "A" * (3 * 1024 * 1024)
    return [
        f'<img src="file://{path}" alt="x">',
        f'<img src="{path}" alt="x">',
        f'<img src="{relative}" alt="x">',
        f'<img src="file://localhost{path}" alt="x">',
        f'<link rel="attachment" href="file://{path}">',
        f'<a rel="attachment" href="file://{path}">attached</a>',
        f'<link rel="attachment" href="{http_base}/attachment">',
        f'<link rel="stylesheet" href="{http_base}/style.css">',
        f'<style>@import url("{http_base}/import.css");</style>',
        f"<div style=\"background: url('{http_base}/background.png')\">styled</div>",
        f'<style>@font-face {{ font-family: canary; src: url("{http_base}/font.ttf"); }}</style>',
        "<style>p { font-family: canary; }</style>",
        f'<style>li {{ list-style-image: url("file://{path}"); }}</style><ul><li>item</li></ul>',
        f'<svg width="20" height="20"><image href="{http_base}/svg-image.png" width="10" height="10"/></svg>',
        f'<svg width="20" height="20"><image href="file://{path}" width="10" height="10"/></svg>',
        f'<svg width="20" height="20"><use href="file://{path}#x"/></svg>',
        f'<object data="{http_base}/object"></object>',
        f'<embed src="file://{path}">',
        f'<iframe src="{http_base}/iframe"></iframe>',
        f'<img src="{http_base}/redirect" alt="x">',
        f'<img src="ftp://127.0.0.1:{port}/file" alt="x">',
        f'<img src="gopher://127.0.0.1:{port}/file" alt="x">',
        '<img src="file:///dev/urandom" alt="x">',
        f'<img src="//127.0.0.1:{port}/protocol-relative" alt="x">',
        f'<img src="data:image/png;base64,{big}" alt="x">',
    ]


def _assert_clean(pdf: bytes, secret: str) -> None:
    assert _Canary.hits == []
    assert secret.encode() not in pdf
    text = "\n".join(page_texts(pdf))
    assert "root:x:0:0" not in text and secret not in text
    assert embedded_files(pdf) == []


def test_raw_html_vectors_reach_nothing(canary_server: int, canary_file: tuple[Path, str]) -> None:
    """The fetcher alone (no sanitiser in front) stops every vector."""
    path, secret = canary_file
    corpus = vectors(canary_server, path)
    assert len(corpus) >= 20
    body = "".join(f"<section><h2>Vector {n}</h2>{vector}</section>" for n, vector in enumerate(corpus))
    started = time.monotonic()
    rendered = render_pdf(
        f'<!DOCTYPE html><html lang="en"><head><title>Vectors</title></head><body>{body}</body></html>'
    )
    assert time.monotonic() - started < RENDER_LIMIT_SECONDS
    time.sleep(0.2)  # any late request would land now
    _assert_clean(rendered.pdf, secret)


def test_the_fetcher_refuses_each_vector_url(canary_server: int, canary_file: tuple[Path, str]) -> None:
    path, _ = canary_file
    fetcher = SafeURLFetcher()
    for url in (f"file://{path}", f"http://127.0.0.1:{canary_server}/x", "file:///dev/urandom", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert _Canary.hits == []


def test_vectors_in_every_user_field_of_a_plan(app, canary_server: int, canary_file: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    """Vectors in the organization name, the plan title, section titles and section text (as Markdown and raw
    HTML): the print document escapes or sanitises them and the PDF reaches nothing."""
    path, secret = canary_file
    corpus = vectors(canary_server, path)
    short = [v for v in corpus if "base64" not in v]
    org = create_org(name=short[0][:100])
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor, title=short[4][:200])
    for n, section in enumerate(plan.sections):
        markdown = (
            f"![chart](file://{path}) [link](http://127.0.0.1:{canary_server}/link) "
            f"![remote](http://127.0.0.1:{canary_server}/markdown-image.png)\n\n" + "\n\n".join(short)
        )
        plan_services.save_section(
            section,
            user=editor,
            title=short[(n + 7) % len(short)][:200],
            body=markdown,
            base_version=section.version,
            ready=True,
        )
    db.session.commit()
    with app.test_request_context("/"):
        document = plan_document(plan)
    rendered = render_pdf(document.html)
    time.sleep(0.2)
    _assert_clean(rendered.pdf, secret)
    assert "<img" not in document.html  # Markdown images are removed by the sanitiser


def logo_vectors(port: int, path: Path) -> bytes:
    """An SVG logo carrying every reference an SVG can make to a server or a local file."""
    http_base = f"http://127.0.0.1:{port}"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40" '
        f'style="background-image:url({http_base}/logo-style)">'
        f'<style>@import url("{http_base}/logo-import.css"); rect {{ fill: url("{http_base}/logo-fill") }}</style>'
        f'<image href="{http_base}/logo-image.png" width="10" height="10"/>'
        f'<image xlink:href="file://{path}" width="10" height="10"/>'
        f'<use href="file://{path}#a"/><use xlink:href="{http_base}/logo-sprite.svg#a"/>'
        f'<foreignObject width="50" height="20"><img xmlns="http://www.w3.org/1999/xhtml" src="{http_base}/fo"/>'
        "</foreignObject>"
        f'<rect width="120" height="40" fill="url({http_base}/logo-paint#p)" filter="url(file://{path}#f)"/>'
        f'<script href="{http_base}/logo-script.js"/>'
        f'<feImage href="{http_base}/logo-feimage"/>'
        '<text x="4" y="28" font-size="20">STATE CIO</text></svg>'
    ).encode()


def test_vectors_in_the_logo_svg_reach_nothing(app, canary_server: int, canary_file: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    """The logo is sanitised on upload and reaches the renderer only as a data: URI; the fetcher refuses any
    reference left inside it."""
    from app.exports.logo import check_logo
    from app.exports.models import OrganizationLogo

    path, secret = canary_file
    logo = check_logo(logo_vectors(canary_server, path), "logo.svg")
    assert b"127.0.0.1" not in logo.content and b"file:" not in logo.content
    org = create_org(name="Office of the State CIO")
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor, title="Digital State")
    db.session.add(
        OrganizationLogo(
            organization_id=org.id, content=logo.content, content_type=logo.content_type, sha256=logo.sha256
        )
    )
    db.session.commit()
    with app.test_request_context("/"):
        html = plan_document(plan).html
    assert 'src="data:image/svg+xml;base64,' in html
    rendered = render_pdf(html)
    # the raw, unsanitised SVG as a data: URI too: the fetcher alone must stop it
    import base64

    raw = base64.b64encode(logo_vectors(canary_server, path)).decode()
    unsanitised = render_pdf(
        f'<!DOCTYPE html><html lang="en"><head><title>Logo</title></head><body>'
        f'<img src="data:image/svg+xml;base64,{raw}" alt="logo"></body></html>'
    )
    time.sleep(0.2)
    _assert_clean(rendered.pdf, secret)
    _assert_clean(unsanitised.pdf, secret)
