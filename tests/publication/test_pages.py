"""The public pages and the admin control, through HTTP: who sees what, 404s, headers and page structure."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Role
from app.extensions import db
from app.publication import pdf as public_pdf
from app.publication import services
from app.publication.models import PlanPublication
from tests.factories import create_org, create_plan, create_user
from tests.publication.world import PublishedWorld, build_published_world


def _publish(world: PublishedWorld) -> PlanPublication:
    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()
    return publication


def _urls(slug: str, org_slug: str) -> list[str]:
    base = f"/public/plans/{slug}"
    csvs = [f"{base}/data/{name}.csv" for name in ("objectives", "initiatives", "costs", "kpis", "measurements")]
    return [base, f"{base}/data.json", *csvs, f"/public/organizations/{org_slug}"]


@pytest.fixture
def no_render(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path) -> list[object]:  # type: ignore[no-untyped-def]
    """Renders asked for, instead of rendering (the PDF stays "being prepared"), in an empty export folder."""
    started: list[object] = []
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    monkeypatch.setattr(public_pdf, "start_job", started.append)
    return started


def test_anyone_reads_a_published_plan_without_signing_in(client: FlaskClient, world: PublishedWorld) -> None:
    publication = _publish(world)
    for url in _urls(publication.slug, world.org.slug):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    page = client.get(f"/public/plans/{publication.slug}").get_data(as_text=True)
    assert "PUBLICPLANTITLEQ" in page and "PUBLICSECTIONBODYQ number 0" in page
    listing = client.get("/public/").get_data(as_text=True)
    assert f'href="/public/organizations/{world.org.slug}"' in listing


def test_the_public_page_is_a_complete_accessible_document(client: FlaskClient, world: PublishedWorld) -> None:
    publication = _publish(world)
    page = client.get(f"/public/plans/{publication.slug}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.search(r"<title>PUBLICPLANTITLEQ – PUBLICORGNAMEQ – public plans</title>", page)
    assert 'class="usa-skipnav" href="#main-content"' in page
    assert '<main id="main-content"' in page and "<header" in page and "<footer" in page
    assert page.count("<h1>") == 1
    assert "<script" not in page and "style=" not in page
    assert "Signed in as" not in page  # the public layout, even for a signed-in visitor


def test_downloads_are_attachments_with_server_made_names(client: FlaskClient, world: PublishedWorld) -> None:
    publication = _publish(world)
    response = client.get(f"/public/plans/{publication.slug}/data/kpis.csv")
    assert response.mimetype == "text/csv"
    assert f'filename="{publication.slug}-kpis.csv"' in response.headers["Content-Disposition"]
    response = client.get(f"/public/plans/{publication.slug}/data.json")
    assert response.mimetype == "application/json"
    assert json.loads(response.data)["format"] == "planwright-open-data/1"
    assert client.get(f"/public/plans/{publication.slug}/data/risks.csv").status_code == 404


def test_unpublishing_removes_everything_at_once(
    client: FlaskClient, signed_in, world: PublishedWorld, no_render: list[object]
) -> None:  # type: ignore[no-untyped-def]
    publication = _publish(world)
    slug = publication.slug
    admin = signed_in(world.admin)
    response = admin.post(f"/public/manage/plans/{world.plan.id}/unpublish")
    assert response.status_code == 302
    for url in [*_urls(slug, world.org.slug), f"/public/plans/{slug}/plan.pdf"]:
        assert client.get(url).status_code == 404, url
    assert world.org.name not in client.get("/public/").get_data(as_text=True)
    assert "not on the public site" in admin.get(f"/plans/{world.plan.id}").get_data(as_text=True)


def test_an_admin_publishes_from_the_plan_page(
    signed_in, client: FlaskClient, world: PublishedWorld, no_render
) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(world.admin)
    page = admin.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Publish on the public site" in page
    response = admin.post(f"/public/manage/plans/{world.plan.id}/publish", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Version 1 is on the public site" in page
    publication = services.publication_of(world.plan)
    assert publication is not None
    assert f'href="/public/plans/{publication.slug}"' in page
    assert len(no_render) == 1  # the public PDF was started at once
    assert client.get(f"/public/plans/{publication.slug}").status_code == 200


def test_a_plan_with_no_adopted_version_gets_a_clear_message(signed_in) -> None:  # type: ignore[no-untyped-def]
    world = build_published_world(adopt_it=False)
    admin = signed_in(world.admin)
    response = admin.post(f"/public/manage/plans/{world.plan.id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert "no adopted version yet, so there is nothing to publish" in response.get_data(as_text=True)
    assert services.publication_of(world.plan) is None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_non_admins_get_403_and_see_no_buttons(signed_in, world: PublishedWorld, role: Role) -> None:  # type: ignore[no-untyped-def]
    member = signed_in(world.users[role])
    assert member.post(f"/public/manage/plans/{world.plan.id}/publish").status_code == 403
    _publish(world)
    assert member.post(f"/public/manage/plans/{world.plan.id}/unpublish").status_code == 403
    page = member.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "Open the public page" in page and "Take off the public site" not in page
    assert services.publication_of(world.plan) is not None


def test_the_control_needs_sign_in_and_answers_404_for_another_organization(
    client: FlaskClient, signed_in, world: PublishedWorld
) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/public/manage/plans/{world.plan.id}/publish")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    stranger = signed_in(create_user(org=create_org(), role=Role.ADMIN))
    assert stranger.post(f"/public/manage/plans/{world.plan.id}/publish").status_code == 404
    assert services.publication_of(world.plan) is None


def test_drafts_and_other_organizations_plans_are_never_reachable(client: FlaskClient, world: PublishedWorld) -> None:
    _publish(world)
    other = create_org(name="Other office")
    draft = create_plan(org=other, owner=create_user(org=other, role=Role.EDITOR), title="Other draft plan")
    for slug in (
        services.slug_for(draft.title, draft.id),
        f"plan-{draft.id}",
        str(draft.id),
        services.slug_for(world.plan.title, world.plan.id + 1),
    ):
        assert client.get(f"/public/plans/{slug}").status_code == 404
        assert client.get(f"/public/plans/{slug}/data.json").status_code == 404
    assert client.get(f"/public/organizations/{other.slug}").status_code == 404
    assert client.get("/public/organizations/no-such-office").status_code == 404
    assert "Other office" not in client.get("/public/").get_data(as_text=True)


def test_an_unpublished_adopted_plan_is_not_reachable(client: FlaskClient, world: PublishedWorld) -> None:
    slug = services.slug_for(world.version.title, world.plan.id)
    assert client.get(f"/public/plans/{slug}").status_code == 404
    assert client.get(f"/public/plans/{slug}/plan.pdf").status_code == 404
    assert client.get(f"/public/organizations/{world.org.slug}").status_code == 404


def test_a_deleted_plan_disappears_from_the_public_site(client: FlaskClient, world: PublishedWorld) -> None:
    from app.core.db import utcnow

    publication = _publish(world)
    world.plan.deleted_at = utcnow()
    db.session.commit()
    assert client.get(f"/public/plans/{publication.slug}").status_code == 404
    assert client.get(f"/public/organizations/{world.org.slug}").status_code == 404


def test_the_pdf_is_being_prepared_once_however_many_ask(
    app: Flask, client: FlaskClient, world: PublishedWorld, no_render: list[object]
) -> None:
    publication = _publish(world)
    for _ in range(3):
        response = client.get(f"/public/plans/{publication.slug}/plan.pdf")
        assert response.status_code == 202
        assert response.headers["Retry-After"] == "30"
        assert "The PDF is being prepared" in response.get_data(as_text=True)
    assert len(no_render) == 1


def test_a_failed_pdf_says_so_and_is_not_retried_at_once(
    app: Flask, client: FlaskClient, world: PublishedWorld, no_render: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.exports.pdf import jobs

    def fail(job: jobs.RenderJob) -> None:
        no_render.append(job)
        jobs.write_result(job.export_dir, job.export_id, jobs.JobResult("failed", "The renderer failed."))

    monkeypatch.setattr(public_pdf, "start_job", fail)
    publication = _publish(world)
    for _ in range(2):
        response = client.get(f"/public/plans/{publication.slug}/plan.pdf")
        assert response.status_code == 503
        assert "The PDF could not be made just now" in response.get_data(as_text=True)
    assert len(no_render) == 1
