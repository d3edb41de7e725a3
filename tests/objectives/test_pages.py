"""Objective and KPI pages have the structure assistive technology relies on."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html.parser import HTMLParser

import pytest

from tests.core.test_pages import PageStructure
from tests.objectives.helpers import make_kpi, make_objective, measure


class Ids(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)


@pytest.fixture
def pages(editor_client, org, editor) -> dict[str, str]:
    goal = make_objective(org=org, user=editor, code="G1", title="Digital services")
    child = make_objective(org=org, user=editor, code="G1.1", title="Online permits", parent=goal)
    kpi = make_kpi(objective=child, user=editor)
    measure(kpi, user=editor, on=date(2025, 4, 1), value="45")
    urls = {
        "list": "/objectives",
        "new goal": "/objectives/new",
        "new child": f"/objectives/new?parent_id={goal.id}",
        "goal": f"/objectives/{goal.id}",
        "child": f"/objectives/{child.id}",
        "edit": f"/objectives/{child.id}/edit",
        "new kpi": f"/objectives/{child.id}/kpis/new",
        "kpi": f"/kpis/{kpi.id}",
        "edit kpi": f"/kpis/{kpi.id}/edit",
    }
    found = {}
    for name, url in urls.items():
        response = editor_client.get(url)
        assert response.status_code == 200, name
        found[name] = response.get_data(as_text=True)
    found["refused measurement"] = editor_client.post(f"/kpis/{kpi.id}/measurements", data={"value": "x"}).get_data(
        as_text=True
    )
    return found


def test_each_page_has_one_h1_a_main_landmark_and_labelled_fields(pages):
    for name, html in pages.items():
        page = PageStructure(html)
        assert page.h1_count == 1, name
        assert page.main_ids == ["main-content"], name
        assert page.unlabelled_fields() == [], name


def test_each_page_has_its_own_title(pages):
    titles = [
        " ".join(PageStructure(html).title.split()) for name, html in pages.items() if name != "refused measurement"
    ]
    assert len(set(titles)) == len(titles), titles
    assert all(t.removesuffix("– Planwright").strip(" –") for t in titles)


def test_ids_are_unique_and_every_reference_resolves(pages):
    for name, html in pages.items():
        ids = Ids(html).ids
        assert [i for i, n in ids.items() if n > 1] == [], name
        page = PageStructure(html)
        assert [target for target in page.summary_links if target not in ids] == [], name


def test_the_error_summary_links_to_the_fields_in_error(pages):
    page = PageStructure(pages["refused measurement"])
    assert page.title.startswith("Error: ")
    assert set(page.summary_links) == {"measured_on", "value"}
