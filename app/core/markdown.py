"""Markdown to safe HTML: markdown-it-py (CommonMark + tables, raw HTML off), then nh3.

The same sanitised HTML is used on pages and, later, in PDF exports.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
        "s",
    ]
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align", "scope"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _demote_headings(html: str) -> str:
    """Plan and section titles are h1 and h2, so '#' and '##' inside a section become h3."""
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


FenceRenderer = Callable[[str, str], Markup | None]


def render_markdown(text: str, *, fence_renderer: FenceRenderer | None = None) -> Markup:
    """Render user Markdown to HTML that is safe to embed in a page or a PDF.

    ``fence_renderer(info, content)`` may claim fenced code blocks (live blocks): it returns trusted
    HTML for a fence, or None to leave it as code. Claimed fences become random placeholders before
    sanitising and their HTML replaces the placeholders after, so user text always goes through nh3.
    """
    env: dict[str, object] = {}
    tokens = _md.parse(text or "", env)
    trusted = _claim_fences(tokens, fence_renderer) if fence_renderer else {}
    html = _demote_headings(_md.renderer.render(tokens, _md.options, env))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    for placeholder, block in trusted.items():
        cleaned = cleaned.replace(f"<p>{placeholder}</p>", block).replace(placeholder, block)
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above; blocks come from trusted templates


def _claim_fences(tokens: list[Token], fence_renderer: FenceRenderer) -> dict[str, Markup]:
    """Swap each fence the renderer claims for a placeholder paragraph nobody can type (a fresh nonce)."""
    nonce = secrets.token_hex(8)
    trusted: dict[str, Markup] = {}
    for token in tokens:
        if token.type != "fence":
            continue
        block = fence_renderer(token.info, token.content)
        if block is not None:
            placeholder = f"pwblock{nonce}n{len(trusted)}"
            trusted[placeholder] = block
            token.type, token.tag, token.content = "html_block", "", f"<p>{placeholder}</p>\n"
    return trusted
