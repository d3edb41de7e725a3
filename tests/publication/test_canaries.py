"""The public site leaks nothing that is not declared public: every text field of the organization carries a
canary naming it (tests/publication/world.py); the public page, its PDF, its JSON and every CSV file show the
PUBLIC canaries and none of the SECRET ones, nor any e-mail address, nor another organization's text."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.publication import services
from app.publication.fields import DATASETS
from tests.core.world import build_tenant
from tests.exports.pdfcheck import page_texts
from tests.publication.world import CANARY_DOMAIN, PUBLIC_TAGS, PublishedWorld, secret

SECRET_TAG = re.compile(r"secret", re.I)
# Public fields that JSON and CSV carry (section text and titles are on the page and in the PDF only).
DATA_TAGS = tuple(t for t in PUBLIC_TAGS if "SECTION" not in t)


def _fetch_everything(client: FlaskClient, slug: str, org_slug: str) -> dict[str, str]:
    base = f"/public/plans/{slug}"
    found = {
        "index": client.get("/public/"),
        "organization": client.get(f"/public/organizations/{org_slug}"),
        "page": client.get(base),
        "json": client.get(f"{base}/data.json"),
        **{f"{name}.csv": client.get(f"{base}/data/{name}.csv") for name in DATASETS},
    }
    texts = {}
    for name, response in found.items():
        assert response.status_code == 200, name
        texts[name] = response.get_data(as_text=True)
    pdf = client.get(f"{base}/plan.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    # Line breaks may split a canary in the PDF's text: compare without any white space.
    texts["pdf"] = re.sub(r"\s+", "", "".join(page_texts(pdf.data)))
    pdf.close()
    return texts


def test_public_outputs_show_public_fields_and_no_other(app: Flask, client: FlaskClient, world: PublishedWorld) -> None:
    other = build_tenant("OTHERTENANT")  # a whole second organization with canaries everywhere
    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()

    texts = _fetch_everything(client, publication.slug, world.org.slug)

    for name, text in texts.items():
        leaked = sorted(set(SECRET_TAG.findall(text)))
        assert not leaked, f"{name} shows a non-public field: {_context(text)}"
        assert CANARY_DOMAIN not in text, f"{name} shows an e-mail address"
        assert other.canary not in text, f"{name} shows another organization's text"
    for tag in PUBLIC_TAGS:
        assert tag in texts["page"], f"the page lacks {tag}"
        assert tag in texts["pdf"], f"the PDF lacks {tag}"
    for tag in DATA_TAGS:
        assert tag in texts["json"], f"the JSON lacks {tag}"
    assert "PUBLICKPINAMEQ" in texts["kpis.csv"] and "PUBLICINITIATIVETITLEQ" in texts["initiatives.csv"]
    # The blocks that show internal data (gaps lists the unmitigated risk) are left out, saying so.
    assert texts["page"].count("not part of the public edition") == 4


def test_the_internal_plan_pdf_would_have_leaked(world: PublishedWorld) -> None:
    """Why the public PDF is its own edition: the internal PDF's HTML carries the decision rationale."""
    from app.exports.pdf.documents import plan_document

    html = plan_document(world.plan, version=world.version).html
    assert secret("decision rationale") in html


def _context(text: str) -> str:
    match = SECRET_TAG.search(text)
    return text[max(0, match.start() - 80) : match.end() + 80] if match else ""


def test_open_data_columns_are_exactly_the_declared_fields(client: FlaskClient, world: PublishedWorld) -> None:
    from app.publication.fields import PLAN_FIELDS, describe, field_names

    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()
    base = f"/public/plans/{publication.slug}"
    document = json.loads(client.get(f"{base}/data.json").data)
    assert set(document) == {"format", "plan", "fields", *DATASETS}
    assert tuple(document["plan"]) == field_names(PLAN_FIELDS)
    assert document["fields"] == {"plan": describe(PLAN_FIELDS), **{k: describe(v) for k, v in DATASETS.items()}}
    for name, fields in DATASETS.items():
        assert document[name], f"the world has {name}"
        for row in document[name]:
            assert tuple(row) == field_names(fields), name
        heading = client.get(f"{base}/data/{name}.csv").get_data(as_text=True).lstrip("\ufeff").split("\r\n")[0]
        assert tuple(heading.split(",")) == field_names(fields), name


def test_open_data_values_are_what_the_board_adopted(client: FlaskClient, world: PublishedWorld) -> None:
    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()
    document = json.loads(client.get(f"/public/plans/{publication.slug}/data.json").data)
    assert document["plan"]["version"] == 1
    assert document["plan"]["adopted_by"] == "PUBLICBOARDNAMEQ"
    assert document["plan"]["decision"] == "Adopted with conditions"
    main = next(row for row in document["initiatives"] if row["code"] == "INI-0001")
    assert main["primary_objectives"] == "G1.1"
    assert (main["total_capital"], main["total_operating"]) == ("250000.00", "50000.00")
    assert {"initiative_code": "INI-0001", "fiscal_year": 2027, "capital": "250000.00", "operating": "50000.00"} in (
        document["costs"]
    )
    kpi = next(row for row in document["kpis"] if row["name"] == "PUBLICKPINAMEQ")
    assert (kpi["objective_code"], kpi["latest_value"], kpi["latest_date"]) == ("G1.1", "45.5000", "2025-03-31")
    assert {"kpi_id": kpi["kpi_id"], "measured_on": "2025-03-31", "value": "45.5000"} in document["measurements"]
    csv = client.get(f"/public/plans/{publication.slug}/data/objectives.csv").get_data(as_text=True)
    assert "G1.1,PUBLICOBJECTIVETITLEQ,G1,2,PUBLICPOLICYSOURCEQ" in csv
