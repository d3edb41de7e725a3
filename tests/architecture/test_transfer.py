"""Services as CSV and Excel: export with formula neutralisation, all-or-nothing import."""

from __future__ import annotations

import io

from app.architecture.models import SharedService
from app.audit.models import AuditEvent
from app.extensions import db
from tests.architecture.factories import create_service, create_standard
from tests.factories import create_org


def upload(client, *lines: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO("\r\n".join(lines).encode()), "services.csv")}
    if dry_run:
        data["dry_run"] = "y"  # type: ignore[assignment]
    return client.post("/architecture/services/import", data=data, content_type="multipart/form-data")


def test_the_export_lists_the_catalogue_and_neutralises_formulas(signed_in, org, editor, viewer):
    nist = create_standard(org=org, user=editor)
    create_service(org=org, user=editor, name="=HYPERLINK(1)", standards=[nist])
    response = signed_in(viewer).get("/architecture/services/export.csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    lines = text.splitlines()
    assert lines[0] == "Name,Kind,Lifecycle,Owner,Description,Standards,Used by"
    assert lines[1].startswith("'=HYPERLINK(1),Security,Operate,Enterprise Identity team,SSO and MFA.,NIST SP 800-53")
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.services")) is not None
    assert signed_in(viewer).get("/architecture/services/export.xlsx").status_code == 200


def test_an_import_creates_and_updates_services(signed_in, org, editor):
    agency = create_org(name="Department of Health IT", parent=org)
    create_standard(org=org, user=editor, name="OpenAPI 3.1")
    create_service(org=org, user=editor, name="Identity Hub")
    response = upload(
        signed_in(editor),
        "Name,Kind,Lifecycle,Standards,Used by",
        "Identity Hub,Security,Retire,,",
        f"Integration Platform,Integration,Build,OpenAPI 3.1,{agency.name}",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    services = {s.name: s for s in db.session.scalars(db.select(SharedService))}
    assert services["Identity Hub"].lifecycle == "retire"
    platform = services["Integration Platform"]
    assert [link.standard.name for link in platform.standard_links] == ["OpenAPI 3.1"]
    assert {link.organization_id for link in platform.user_links} == {org.id, agency.id}


def test_an_import_with_any_bad_row_writes_nothing_and_names_row_and_column(signed_in, org, editor):
    response = upload(
        signed_in(editor),
        "Name,Kind,Standards,Used by",
        "Notify,Integration,,",
        "GIS Platform,Mapping,,",
        "Payments Gateway,Application,PCI DSS 4.0,Unrelated County",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(SharedService)) == 0
    assert "Not a valid choice. Write Infrastructure, Application, Data, Security or Integration." in html
    assert "There is no standard “PCI DSS 4.0” in your list." in html
    assert "“Unrelated County” is not your organization or a parent, child or sibling of it." in html
    assert "Row 3" in html or ">3<" in html


def test_a_check_only_import_writes_nothing(signed_in, org, editor):
    response = upload(signed_in(editor), "Name,Kind", "Notify,Integration", dry_run=True)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(SharedService)) == 0


def test_readers_cannot_import(signed_in, viewer):
    assert upload(signed_in(viewer), "Name,Kind", "Notify,Integration").status_code == 403
