"""The only way WeasyPrint may load anything: ``data:`` URIs and files under the app's export-asset folders.

WeasyPrint's default fetcher opens ``file:``, ``http(s):`` and ``ftp:`` URLs and follows redirects, so user
text that reaches a print template (a Markdown image, a title, a logo) could make the server read local files
into the PDF or call internal services (SSRF). ``SafeURLFetcher`` opens nothing over a network, follows no
redirect and reads a ``file:`` URL only when its real path (symlinks resolved) lies inside ``ASSET_ROOTS``.
Every refused URL raises, which WeasyPrint turns into a logged warning and a missing resource.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

ROOT = Path(__file__).resolve().parents[3]
# Print stylesheets and images (ours) and Public Sans (copied from the USWDS npm package by `make assets`).
PRINT_ASSETS = ROOT / "templates" / "exports" / "assets"
FONT_DIR = ROOT / "app" / "static" / "uswds" / "fonts" / "public-sans"
ASSET_ROOTS: tuple[Path, ...] = (PRINT_ASSETS, FONT_DIR)
MAX_DATA_URI_BYTES = 2 * 1024 * 1024  # the watermark and charts are a few kB; a 2 MB data: URI is an attack
MAX_ASSET_BYTES = 5 * 1024 * 1024  # one font file is about 100 kB


class RefusedURL(ValueError):
    """A URL the export renderer will not load."""


class SafeURLFetcher(URLFetcher):
    """Loads ``data:`` URIs and files under ``roots``; refuses everything else (see the module docstring)."""

    def __init__(self, roots: tuple[Path, ...] = ASSET_ROOTS) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)
        self._roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        try:
            if scheme == "data":
                return _data_response(url)
            if scheme == "file":
                return self._file_response(url)
            raise RefusedURL(f"only data: and bundled assets may be loaded, not {scheme or 'relative'} URLs")
        except RefusedURL:
            self.refused.append(url[:200])
            raise

    def _file_response(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL("file URLs naming a host are refused")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self._roots) or not path.is_file():
            raise RefusedURL("only files in the export-asset folders may be loaded")
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise RefusedURL("asset too large")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def _data_response(url: str) -> URLFetcherResponse:
    if len(url) > MAX_DATA_URI_BYTES * 2:  # percent-encoding at most triples; base64 grows by a third
        raise RefusedURL("data: URI too large")
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise RefusedURL("malformed data: URI")
    params = header.split(";")
    try:
        body = base64.b64decode(payload, validate=False) if params[-1] == "base64" else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise RefusedURL("malformed data: URI") from exc
    if len(body) > MAX_DATA_URI_BYTES:
        raise RefusedURL("data: URI too large")
    content_type = params[0] or "text/plain"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})
