"""R17/R18: user text is shown as text on every plan page, and Markdown output is sanitised."""

import pytest

from app.auth.models import Role
from app.core.markdown import render_markdown
from app.plans.models import Plan
from tests.factories import create_user
from tests.plans.helpers import fresh, save, section_url, sections_of
from tests.plans.html import main_content, parse, squash
from tests.plans.xss import CORPUS, executable_markup

MARKDOWN_TAGS = frozenset(
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


def test_corpus_has_at_least_thirty_distinct_payloads():
    payloads = [p.values[0] for p in CORPUS]
    assert len(set(payloads)) == len(payloads) >= 30


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVa\tScRipt:alert(1)">x</a>',
        "<iframe src=x></iframe>",
        "<img src=x>",
        "<svg></svg>",
        '<form action="javascript:alert(1)"></form>',
        '<meta http-equiv="refresh" content="0">',
    ],
)
def test_the_checker_itself_flags_executable_markup(unsafe):
    assert executable_markup(f"<html><body>{unsafe}</body></html>")


def test_the_checker_accepts_escaped_payloads():
    assert not executable_markup('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><input value="&#34; onclick=&#34;x">')


@pytest.mark.parametrize("payload", CORPUS)
def test_render_markdown_never_outputs_executable_markup(payload):
    html = str(render_markdown(payload))
    assert executable_markup(html) == []
    tree = parse(html)
    assert {el.tag for el in tree.iter()} <= MARKDOWN_TAGS
    for link in tree.find_all("a"):
        assert link.attrs.get("rel") == "noopener noreferrer"


def test_render_markdown_keeps_safe_links():
    html = parse(str(render_markdown("[site](https://127.0.0.1:9/plan) [mail](mailto:cio@ocio.demo-state.example)")))
    assert [a.attrs["href"] for a in html.find_all("a")] == [
        "https://127.0.0.1:9/plan",
        "mailto:cio@ocio.demo-state.example",
    ]


@pytest.fixture
def pages_with(signed_in, editor_client, org):  # type: ignore[no-untyped-def]
    """Save the payload as plan title, section title and section body; return every page that shows them."""

    def pages(payload: str, *, every_page: bool = True) -> dict[str, str]:
        created = editor_client.post(
            "/plans/new",
            data={
                "title": payload,
                "template": "compact-five-section",
                "first_fiscal_year": "2027",
                "last_fiscal_year": "2030",
            },
        )
        assert created.status_code == 302, "the payload must be accepted as a plan title"
        plan = fresh(Plan, int(created.headers["Location"].rsplit("/", 1)[1]))
        section = sections_of(plan)[0]
        assert save(editor_client, section, title=payload, body=payload).status_code == 302
        if not every_page:
            return {
                name: editor_client.get(url).get_data(as_text=True)
                for name, url in (
                    ("editor overview", f"/plans/{plan.id}"),
                    ("editor section", section_url(section)),
                    ("editor edit", section_url(section, "/edit")),
                )
            }
        stale = save(editor_client, section, title=payload, body=payload + " (mine)", version=1)
        assert stale.status_code == 409
        viewer = signed_in(create_user(org=org, role=Role.VIEWER))
        shown = {
            "conflict": stale,
            "preview": save(editor_client, section, title=payload, body=payload, preview="1"),
            "preview-endpoint": editor_client.post(section_url(section, "/preview"), data={"body": payload}),
        }
        for who, client in (("editor", editor_client), ("viewer", viewer)):
            shown |= {
                f"{who} plan list": client.get("/plans"),
                f"{who} overview": client.get(f"/plans/{plan.id}"),
                f"{who} section": client.get(section_url(section)),
                f"{who} history": client.get(section_url(section, "/history")),
                f"{who} compare": client.get(section_url(section, "/compare?from=1&to=2")),
            }
        shown["editor edit"] = editor_client.get(section_url(section, "/edit"))
        assert {name: r.status_code for name, r in shown.items() if r.status_code not in (200, 409)} == {}
        return {name: response.get_data(as_text=True) for name, response in shown.items()}

    return pages


@pytest.mark.parametrize("payload", CORPUS)
def test_payload_is_never_executable_on_any_plan_page(pages_with, payload):
    pages = pages_with(payload)
    assert {name: problems for name, html in pages.items() if (problems := executable_markup(html))} == {}


@pytest.mark.parametrize("payload", CORPUS)
def test_payload_title_is_shown_as_typed(pages_with, payload):
    pages = pages_with(payload, every_page=False)
    assert main_content(pages["editor overview"]).find("h1").text == payload.strip()
    assert main_content(pages["editor section"]).find("h1").text == payload.strip()
    assert main_content(pages["editor edit"]).by_id("title").attrs["value"] == payload.strip()


def test_template_syntax_is_shown_literally_not_evaluated(pages_with):
    pages = pages_with("{{7*7}}")
    assert main_content(pages["editor overview"]).find("h1").text == "{{7*7}}"
    body = main_content(pages["editor section"]).find("div", class_="usa-prose pw-section-body")
    assert squash(body.text) == "{{7*7}}"
    assert "49" not in body.text
    assert "{{7*7}}" in squash(main_content(pages["viewer plan list"]).find("tbody").text)
