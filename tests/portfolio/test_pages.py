"""Portfolio pages have what assistive technology relies on: a title naming the page, one h1,
breadcrumbs, labelled fields, table captions and headers, and error summaries that link to fields."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from tests.core.test_pages import PageStructure
from tests.plans.html import main_content, parse
from tests.portfolio.factories import add_cost, create_initiative
from tests.portfolio.test_access import build_office


@pytest.fixture
def office():  # type: ignore[no-untyped-def]
    return build_office("PAGES")


def page_urls(ids: dict[str, int]) -> dict[str, str]:
    base = f"/initiatives/{ids['initiative_id']}"
    return {
        "list": "/initiatives",
        "filtered list": "/initiatives?category=run&q=x",
        "new": "/initiatives/new",
        "initiative": base,
        "edit": f"{base}/edit",
        "edit milestone": f"{base}/milestones/{ids['milestone_id']}/edit",
        "edit risk": f"{base}/risks/{ids['risk_id']}/edit",
        "edit costs": f"{base}/costs/{ids['cost_id']}/edit",
    }


def fetch(signed_in, office) -> dict[str, str]:  # type: ignore[no-untyped-def]
    client = signed_in(office.users[Role.EDITOR])
    pages = {}
    for name, url in page_urls(office.ids).items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.get_data(as_text=True)
    return pages


def test_every_page_has_one_h1_a_title_of_its_own_and_breadcrumbs(signed_in, office):
    titles: dict[str, str] = {}
    for name, html in fetch(signed_in, office).items():
        page = PageStructure(html)
        assert page.h1_count == 1, name
        title = " ".join(page.title.split()).removesuffix("– Planwright").strip(" –")
        assert title, name
        titles.setdefault(title, name)
        assert parse(html).find("nav", aria_label="Breadcrumbs"), name
        assert page.unlabelled_fields() == [], name
    assert len(titles) == len(page_urls(office.ids)), f"pages share a title: {titles}"


def test_every_table_has_a_caption_and_scoped_headers(signed_in, office):
    for name, html in fetch(signed_in, office).items():
        for table in main_content(html).find_all("table"):
            assert table.find_all("caption"), f"{name}: table without caption"
            headers = table.find_all("th")
            assert headers and all(th.attrs.get("scope") in ("col", "row") for th in headers), name


def test_categories_are_tagged_in_words(org, editor, editor_client):
    for category in ("run", "change", "transform"):
        create_initiative(org=org, user=editor, category=category)
    page = main_content(editor_client.get("/initiatives").get_data(as_text=True))
    tags = {t.text for t in page.find("table").iter() if "usa-tag" in (t.attrs.get("class") or "")}
    assert {"Run", "Change", "Transform"} <= tags


@pytest.mark.parametrize(
    ("url_key", "data"),
    [
        ("new", {"title": "", "code": "", "category": ""}),
        ("edit", {"title": "", "code": "INI-0001", "category": "run", "version": "1"}),
        ("initiative:milestones", {"milestone-title": "", "milestone-due_date": "later"}),
        ("initiative:costs", {"cost-fiscal_year": "FY27", "cost-capital": "-1"}),
        ("edit costs", {"cost-fiscal_year": "2027", "cost-operating": "1.234"}),
    ],
)
def test_form_errors_are_summarised_with_links_to_the_fields(signed_in, office, url_key, data):
    client = signed_in(office.users[Role.EDITOR])
    name, _, suffix = url_key.partition(":")
    url = page_urls(office.ids)[name] + (f"/{suffix}" if suffix else "")
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = PageStructure(response.get_data(as_text=True))
    assert page.summary_links, "no error summary with links"
    assert [target for target in page.summary_links if target not in page.ids] == []
    assert page.h1_count == 1
    assert page.title.startswith("Error: ")


def test_the_list_caption_counts_what_is_shown(org, editor, editor_client):
    initiative = create_initiative(org=org, user=editor, category="run")
    add_cost(initiative, user=editor, fiscal_year=2027, capital="5")
    caption = main_content(editor_client.get("/initiatives?category=run").get_data(as_text=True)).find("caption")
    assert " ".join(caption.text.split()) == "1 initiative matches the filters; sorted by code, ascending"
