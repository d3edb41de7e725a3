"""An XSS payload corpus and a checker that reads pages with html.parser, as a browser would."""

from __future__ import annotations

import re

import pytest

from tests.plans.html import Element, parse

P = pytest.param
CORPUS = [
    # script tags, mixed case, broken and nested
    P("<script>alert(1)</script>", id="script"),
    P("<ScRiPt>alert(1)</sCrIpT>", id="script-mixed-case"),
    P("<SCRIPT SRC=//127.0.0.2:9/x.js></SCRIPT>", id="script-src"),
    P("<scr<script>ipt>alert(1)</scr</script>ipt>", id="script-nested-broken"),
    P("<script>alert(1)", id="script-unclosed"),
    P('"><script>alert(1)</script>', id="attribute-breakout"),
    P("'><svg/onload=alert(1)>", id="single-quote-breakout-svg"),
    P("</textarea><script>alert(1)</script>", id="textarea-breakout"),
    P("</title><script>alert(1)</script>", id="title-breakout"),
    # images and event handlers
    P("<img src=x onerror=alert(1)>", id="img-onerror"),
    P("<img src=x onerror=alert(1)//", id="img-broken-tag"),
    P("<IMG SRC=\"javascript:alert('XSS');\">", id="img-javascript-src"),
    P("<img src=file:///etc/passwd>", id="img-file-url"),
    P("<svg onload=alert(1)>", id="svg-onload"),
    P("<svg><script>alert(1)</script></svg>", id="svg-script"),
    P('<a href="#" onclick="alert(1)">x</a>', id="a-onclick"),
    P('<div onmouseover="alert(1)">hover</div>', id="div-onmouseover"),
    P("<details open ontoggle=alert(1)>", id="details-ontoggle"),
    P("<body onload=alert(1)>", id="body-onload"),
    P("<input autofocus onfocus=alert(1)>", id="input-onfocus"),
    P('<video><source onerror="alert(1)"></video>', id="video-source-onerror"),
    P("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="mutation-xss"),
    # embedding and page-changing tags
    P('<iframe src="javascript:alert(1)"></iframe>', id="iframe"),
    P('<object data="javascript:alert(1)"></object>', id="object"),
    P('<embed src="data:text/html,<script>alert(1)</script>">', id="embed"),
    P("<style>body{background:url(javascript:alert(1))}</style>", id="style"),
    P("<link rel=stylesheet href=http://127.0.0.1:9/x.css>", id="link-stylesheet"),
    P("<link rel=attachment href=file:///etc/passwd>", id="link-attachment"),
    P('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', id="meta-refresh"),
    P('<base href="javascript:alert(1)//">', id="base"),
    P("<form action=javascript:alert(1)><button>go</button></form>", id="form"),
    # dangerous URLs in Markdown links and autolinks
    P("[click](javascript:alert(1))", id="md-javascript-link"),
    P("[click](JaVaScRiPt:alert(1))", id="md-javascript-mixed-case"),
    P("[click](javas&#99;ript:alert(1))", id="md-javascript-entity"),
    P(
        "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
        id="md-javascript-all-entities",
    ),
    P("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="md-data-link"),
    P("[click](vbscript:msgbox(1))", id="md-vbscript-link"),
    P("[click](file:///etc/passwd)", id="md-file-link"),
    P("<javascript:alert(1)>", id="autolink-javascript"),
    P("<vbscript:msgbox(1)>", id="autolink-vbscript"),
    P("<data:text/html,alert(1)>", id="autolink-data"),
    P('<http://127.0.0.1:9/"onmouseover="alert(1)>', id="autolink-quote-breakout"),
    P("![x](javascript:alert(1))", id="md-image-javascript"),
    P('![x](https://127.0.0.1:9/x.png "a\\" onerror=\\"alert(1)")', id="md-image-title-quotes"),
    P('[x](https://127.0.0.1:9 "t\\" onmouseover=\\"alert(1)")', id="md-link-title-double-quotes"),
    P("[x](https://127.0.0.1:9 'it\\'s\" onclick=\"alert(1)')", id="md-link-title-single-quotes"),
    P("[x][1]\n\n[1]: javascript:alert(1)", id="md-reference-link"),
    # raw HTML links, entity-encoded and obfuscated schemes
    P('<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>', id="a-entity-scheme"),
    P('<a href="java\tscript:alert(1)">x</a>', id="a-tab-in-scheme"),
    P('<a href=" javascript:alert(1)">x</a>', id="a-leading-space"),
    P("&lt;script&gt;alert(1)&lt;/script&gt;", id="entity-encoded-script"),
    P("&#60;img src=x onerror=alert(1)&#62;", id="numeric-entity-img"),
    P("[x](https://127.0.0.1:9)<!-- <script>alert(1)</script> -->", id="html-comment"),
    # template injection: must be shown literally
    P("{{7*7}}", id="jinja-expression"),
    P("{{ config.SECRET_KEY }}{% print(7*7) %}${7*7}#{7*7}", id="template-mix"),
]

FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "svg",
    "style",
    "base",
    "math",
    "frame",
    "frameset",
    "applet",
    "video",
    "audio",
    "source",
    "details",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "srcset"}
SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def _scheme(url: str) -> str | None:
    compact = "".join(ch for ch in url if not ch.isspace() and ord(ch) >= 32).lower()
    match = _SCHEME.match(compact)
    return match.group(1) if match else None


def _is_static(url: str | None) -> bool:
    return bool(url) and url.startswith("/static/")  # type: ignore[union-attr]


def executable_markup(html: str) -> list[str]:
    """Everything in the page that a browser could run or load from user data; empty when safe."""
    problems: list[str] = []
    lowered = html.lower()
    for tag in FORBIDDEN_TAGS:
        if re.search(rf"<{tag}[\s/>]", lowered):
            problems.append(f"raw <{tag}")
    for element in parse(html).iter():
        problems.extend(_element_problems(element))
    return problems


def _element_problems(element: Element) -> list[str]:
    tag, attrs = element.tag, element.attrs
    problems = [f"<{tag} {name}=…>" for name in attrs if name.startswith("on")]
    for name in URL_ATTRIBUTES & attrs.keys():
        scheme = _scheme(attrs[name] or "")
        if scheme is not None and scheme not in SAFE_SCHEMES:
            problems.append(f"<{tag} {name}={attrs[name]!r}>")
    if tag in FORBIDDEN_TAGS:
        problems.append(f"<{tag}>")
    elif tag == "script" and not (_is_static(attrs.get("src")) and not element.text.strip()):
        problems.append(f"<script {attrs}>{element.text[:40]}")
    elif tag == "img" and not _is_static(attrs.get("src")):
        problems.append(f"<img {attrs}>")
    elif tag == "link" and not _is_static(attrs.get("href")):
        problems.append(f"<link {attrs}>")
    elif tag == "meta" and ("http-equiv" in attrs or ("content" in attrs and "name" not in attrs)):
        problems.append(f"<meta {attrs}>")
    elif tag == "form" and not (attrs.get("action") or "/").startswith("/"):
        problems.append(f"<form {attrs}>")
    return problems
