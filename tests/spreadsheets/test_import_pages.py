"""The import pages follow the page structure every page has (WCAG basics): one h1, a title naming the page,
labelled fields, an error summary linking to the field, and problem tables with headers."""

from __future__ import annotations

import pytest

from tests.core.test_pages import PageStructure
from tests.spreadsheets.helpers import csv_file, upload

PAGES = {"/initiatives/import": "Import initiatives", "/kpis/import": "Import KPI measurements"}


@pytest.mark.parametrize("url", PAGES)
def test_the_import_pages_have_one_h1_a_title_and_labelled_fields(editor_client, url):
    html = editor_client.get(url).get_data(as_text=True)
    page = PageStructure(html)
    assert page.h1_count == 1 and page.title.strip().startswith(PAGES[url])
    assert page.unlabelled_fields() == [] and page.main_ids == ["main-content"]


@pytest.mark.parametrize("url", PAGES)
def test_a_refused_file_is_summarised_with_a_link_to_the_file_field(editor_client, url):
    response = upload(editor_client, url, "picture.png", b"\x89PNG\r\n")
    page = PageStructure(response.get_data(as_text=True))
    assert response.status_code == 422
    assert page.title.startswith("Error: ")
    assert page.summary_links == ["file"] and "file" in page.ids


@pytest.mark.parametrize("url", PAGES)
def test_problems_are_a_table_with_column_headers_and_the_title_says_error(editor_client, url):
    response = upload(editor_client, url, "bad.csv", csv_file(["Nonsense"], ["x"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and PageStructure(html).title.startswith("Error: ")
    assert '<th scope="col">Row</th><th scope="col">Column</th>' in html
    assert "<caption>Problems in the file, by row</caption>" in html
