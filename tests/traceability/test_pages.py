"""The new pages follow the app's page structure: one h1, a title naming the page, labelled fields, skip link."""

from __future__ import annotations

from app.auth.models import Role
from tests.core.test_pages import PageStructure
from tests.factories import create_user
from tests.traceability.world import build_portfolio

PAGES = {
    "scope": ("/scope", "Scope – IT Strategic Plan 2027–2030 – Planwright"),
    "matrix": ("/traceability", "Traceability matrix, goal G1 – IT Strategic Plan 2027–2030 – Planwright"),
    "gaps": ("/gaps", "Gaps – IT Strategic Plan 2027–2030 – Planwright"),
    "balance": ("/balance", "Portfolio balance – IT Strategic Plan 2027–2030 – Planwright"),
}


def test_every_page_has_one_h1_a_specific_title_and_labelled_fields(signed_in, org, plan):
    build_portfolio(org)
    admin = signed_in(create_user(org=org, role=Role.ADMIN))
    for name, (suffix, title) in PAGES.items():
        response = admin.get(f"/plans/{plan.id}{suffix}")
        assert response.status_code == 200, name
        page = PageStructure(response.get_data(as_text=True))
        assert (page.lang, page.h1_count, page.main_ids) == ("en", 1, ["main-content"]), name
        assert page.links[0] == "#main-content", name
        assert " ".join(page.title.split()) == title, name
        assert page.unlabelled_fields() == [], name


def test_the_current_page_is_marked_in_the_plan_analysis_navigation(editor_client, plan):
    html = editor_client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True)
    assert f'href="/plans/{plan.id}/gaps" aria-current="page">Gaps</a>' in html
