"""Page structure that assistive technology relies on (WCAG 2.2 AA basics), checked without a browser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.auth.models import Role
from tests.core.world import build_tenant, new_client, signed_in

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageStructure(HTMLParser):
    """The parts of a page that the checks below look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title, self.h1_count, self.main_ids = "", 0, []
        self.ids: set[str] = set()
        self.label_targets: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.summary_links: list[str] = []
        self._in_title, self._summary_depth = False, 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "main":
            self.main_ids.append(attrs.get("id"))
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") not in UNLABELLED_TYPES and "hidden" not in attrs:
                self.fields.append({"tag": tag, **attrs})
        elif tag == "a":
            self.links.append(attrs.get("href") or "")
            if self._summary_depth and (attrs.get("href") or "").startswith("#"):
                self.summary_links.append(attrs["href"][1:])
        if tag == "div" and (self._summary_depth or "data-error-summary" in attrs):
            self._summary_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "div" and self._summary_depth:
            self._summary_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def unlabelled_fields(self) -> list[dict[str, str | None]]:
        def labelled(f: dict[str, str | None]) -> bool:
            by = (f.get("aria-labelledby") or "").split()
            return (
                f.get("id") in self.label_targets
                or bool((f.get("aria-label") or "").strip())
                or bool(by and all(i in self.ids for i in by))
            )

        return [f for f in self.fields if not labelled(f)]


@pytest.fixture
def org():
    return build_tenant("ORGA")


def page_urls(org) -> dict[str, str]:
    plan, section = org.plan, org.plan.sections[0]
    base = f"/plans/{plan.id}/sections/{section.id}"
    return {
        "plan list": "/plans",
        "new plan": "/plans/new",
        "overview": f"/plans/{plan.id}",
        "section": base,
        "edit": f"{base}/edit",
        "history": f"{base}/history",
        "compare": f"{base}/compare?from=1&to=2",
        "users": "/admin/users",
        "new user": "/admin/users/new",
        "edit user": f"/admin/users/{org.users[Role.VIEWER].id}",
        "audit": "/audit",
        "change password": "/account/password",
        "accessibility statement": "/accessibility",
        "not found": "/plans/999999",
    }


def fetch_pages(app, org) -> dict[str, PageStructure]:
    anonymous, admin = new_client(app), signed_in(app, org.users[Role.ADMIN])
    pages = {
        "login": anonymous.get("/login"),
        "anonymous accessibility statement": anonymous.get("/accessibility"),
        "anonymous not found": anonymous.get("/no-such-page"),
    }
    pages |= {name: admin.get(url) for name, url in page_urls(org).items()}
    for name, response in pages.items():
        assert response.status_code == (404 if "not found" in name else 200), name
    return {name: PageStructure(r.get_data(as_text=True)) for name, r in pages.items()}


def test_every_page_has_lang_one_h1_a_skip_link_and_a_main_landmark(app, org):
    for name, page in fetch_pages(app, org).items():
        assert page.lang == "en", name
        assert page.h1_count == 1, f"{name}: {page.h1_count} h1 elements"
        assert page.links and page.links[0] == "#main-content", f"{name}: the first link is not the skip link"
        assert page.main_ids == ["main-content"], name


def test_every_page_title_names_the_page(app, org):
    titles = {}
    for name, page in fetch_pages(app, org).items():
        title = " ".join(page.title.split())
        specific = title.removesuffix("– Planwright").strip(" –")
        assert specific and specific != "Planwright", f"{name}: title {title!r} does not name the page"
        if not name.startswith("anonymous"):  # the same pages seen signed out
            titles.setdefault(title, []).append(name)
    assert {t: names for t, names in titles.items() if len(names) > 1} == {}, "different pages share a title"


def test_every_visible_form_field_has_a_label(app, org):
    for name, page in fetch_pages(app, org).items():
        assert page.unlabelled_fields() == [], name


@pytest.mark.parametrize(
    ("who", "url", "data"),
    [
        ("admin", "/plans/new", {"title": "", "first_fiscal_year": "", "last_fiscal_year": "2030"}),
        ("admin", "EDIT", {"title": "", "body": "Kept text", "version": "1"}),
        ("anonymous", "/login", {"email": "", "password": ""}),
        ("admin", "/admin/users/new", {"name": "Pat", "email": "not-an-email", "role": "viewer", "password": ""}),
    ],
    ids=["new plan", "edit section", "login", "new user"],
)
def test_form_errors_are_summarised_with_links_to_the_fields(app, org, who, url, data):
    client = signed_in(app, org.users[Role.ADMIN]) if who == "admin" else new_client(app)
    section = org.plan.sections[0]
    url = f"/plans/{org.plan.id}/sections/{section.id}/edit" if url == "EDIT" else url
    response = client.post(url, data=data)
    page = PageStructure(response.get_data(as_text=True))
    assert response.status_code in (200, 422)
    assert page.summary_links, f"{url}: no error summary with links"
    assert [target for target in page.summary_links if target not in page.ids] == []
    assert page.h1_count == 1 and page.unlabelled_fields() == []
