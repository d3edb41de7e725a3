"""Initiatives, objectives, KPIs and measurements through the API: the portfolio and objective services' rules,
filters and pages, If-Match on update, 422 with no write."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.objectives.models import KpiMeasurement
from app.portfolio.models import Initiative
from tests.api.world import Api, assert_problem, make_objective_with_kpi, make_token


def initiative_count(org) -> int:
    return db.session.scalar(select(func.count()).select_from(Initiative).where(Initiative.organization_id == org.id))


def test_create_an_initiative_then_read_it(app, org, editor):
    api = Api(app, make_token(editor)[1])
    response = api.post(
        "/api/v1/initiatives",
        json={"title": "Digital permits", "category": "transform", "start_date": "2026-07-01", "owner": "PMO"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == "INI-0001" and body["status"] == "proposed" and body["category"] == "transform"
    assert response.headers["Location"] == f"/api/v1/initiatives/{body['id']}"
    read = api.get(response.headers["Location"])
    assert read.get_json()["title"] == "Digital permits" and read.headers["ETag"] == body["etag"]
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "initiative.create", AuditEvent.object_id == body["id"])
    )


def test_a_duplicate_code_or_bad_dates_are_422_and_nothing_is_written(app, org, editor):
    api = Api(app, make_token(editor)[1])
    assert api.post("/api/v1/initiatives", json={"code": "INI-0100", "title": "First"}).status_code == 201
    duplicate = assert_problem(api.post("/api/v1/initiatives", json={"code": "INI-0100", "title": "Second"}), 422)
    assert duplicate["errors"] == [
        {"field": "code", "message": "INI-0100 is already used by another initiative. Choose another code."}
    ]
    dates = assert_problem(
        api.post(
            "/api/v1/initiatives", json={"title": "Backwards", "start_date": "2027-01-01", "end_date": "2026-01-01"}
        ),
        422,
    )
    assert dates["errors"][0]["field"] == "end_date"
    shape = assert_problem(
        api.post("/api/v1/initiatives", json={"title": "", "code": "lower case", "category": "x"}), 422
    )
    assert {e["field"] for e in shape["errors"]} == {"title", "code", "category"}
    assert initiative_count(org) == 1


def test_update_needs_the_current_etag_and_follows_status_rules(app, org, editor):
    api = Api(app, make_token(editor)[1])
    created = api.post("/api/v1/initiatives", json={"title": "Cloud move"}).get_json()
    url = f"/api/v1/initiatives/{created['id']}"
    assert_problem(api.patch(url, json={"title": "No etag"}), 428)
    changed = api.patch(
        url, json={"title": "Cloud move, phase 1", "sponsor": "CIO"}, headers={"If-Match": created["etag"]}
    )
    assert changed.status_code == 200 and changed.get_json()["title"] == "Cloud move, phase 1"
    assert_problem(api.patch(url, json={"title": "Stale"}, headers={"If-Match": created["etag"]}), 412)
    refused = assert_problem(
        api.patch(url, json={"status": "completed"}, headers={"If-Match": changed.headers["ETag"]}), 409
    )
    assert "cancelled" in refused["detail"]
    db.session.expire_all()
    assert db.session.get(Initiative, created["id"]).title == "Cloud move, phase 1"
    cancelled = api.patch(url, json={"status": "cancelled"}, headers={"If-Match": changed.headers["ETag"]})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_initiatives_filter_by_status_category_type_and_objective_and_page(app, org, editor):
    objective, _ = make_objective_with_kpi(org, editor)
    api = Api(app, make_token(editor)[1])
    for n in range(5):
        api.post(
            "/api/v1/initiatives",
            json={
                "title": f"Item {n}",
                "category": "run" if n % 2 else "change",
                "initiative_type": "programme" if n == 4 else "project",
            },
        )
    from app.portfolio import services as portfolio_services

    first = db.session.scalar(select(Initiative).where(Initiative.code == "INI-0001"))
    portfolio_services.link_objective(first, user=editor, objective=objective, role="primary", rationale="Because")
    db.session.commit()
    assert api.get("/api/v1/initiatives?category=run").get_json()["total"] == 2
    assert api.get("/api/v1/initiatives?type=programme").get_json()["items"][0]["code"] == "INI-0005"
    by_objective = api.get(f"/api/v1/initiatives?objective_id={objective.id}").get_json()
    assert [i["code"] for i in by_objective["items"]] == ["INI-0001"]
    assert by_objective["items"][0]["objectives"] == [{"objective_id": objective.id, "role": "primary"}]
    assert api.get("/api/v1/initiatives?status=approved").get_json()["total"] == 0
    page = api.get("/api/v1/initiatives?per_page=2&page=3&category=")
    assert [i["code"] for i in page.get_json()["items"]] == ["INI-0005"]
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' not in page.headers["Link"]
    bad = assert_problem(api.get("/api/v1/initiatives?status=dreaming"), 422)
    assert bad["errors"][0]["field"] == "status" and "proposed" in bad["errors"][0]["message"]


def test_objectives_and_kpis_are_read_with_their_status(app, org, editor):
    objective, kpi = make_objective_with_kpi(org, editor)
    api = Api(app, make_token(editor, scope="read")[1])
    assert api.get("/api/v1/objectives").get_json()["items"][0]["code"] == "G1"
    assert api.get(f"/api/v1/objectives/{objective.id}").get_json()["title"] == "Goal G1"
    listed = api.get(f"/api/v1/kpis?objective_id={objective.id}").get_json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "no_data"
    one = api.get(f"/api/v1/kpis/{kpi.id}").get_json()
    assert one["baseline_value"] == "40.0000" and one["latest_value"] is None


def test_post_a_measurement_then_list_it(app, org, editor):
    _, kpi = make_objective_with_kpi(org, editor)
    api = Api(app, make_token(editor)[1])
    response = api.post(f"/api/v1/kpis/{kpi.id}/measurements", json={"measured_on": "2025-06-30", "value": "52.5"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["value"] == "52.5000" and response.get_json()["entered_by"] == editor.name
    listed = api.get(f"/api/v1/kpis/{kpi.id}/measurements").get_json()
    assert [m["measured_on"] for m in listed["items"]] == ["2025-06-30"]
    assert api.get(f"/api/v1/kpis/{kpi.id}").get_json()["latest_value"] == "52.5000"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kpi.measurement"))


def test_a_refused_measurement_says_why_and_writes_nothing(app, org, editor):
    _, kpi = make_objective_with_kpi(org, editor)
    api = Api(app, make_token(editor)[1])
    url = f"/api/v1/kpis/{kpi.id}/measurements"
    assert api.post(url, json={"measured_on": "2025-06-30", "value": 50}).status_code == 201
    same_day = assert_problem(api.post(url, json={"measured_on": "2025-06-30", "value": 51}), 422)
    assert (
        same_day["errors"][0]["field"] == "measured_on" and "already a measurement" in same_day["errors"][0]["message"]
    )
    future = (date.today() + timedelta(days=3)).isoformat()
    assert (
        "future" in assert_problem(api.post(url, json={"measured_on": future, "value": 1}), 422)["errors"][0]["message"]
    )
    shape = assert_problem(api.post(url, json={"measured_on": "30/06/2025", "value": "lots", "note": 5}), 422)
    assert {e["field"] for e in shape["errors"]} == {"measured_on", "value", "note"}
    assert (
        db.session.scalar(select(func.count()).select_from(KpiMeasurement).where(KpiMeasurement.kpi_id == kpi.id)) == 1
    )


def test_a_viewer_reads_but_cannot_record(app, org, editor, viewer):
    _, kpi = make_objective_with_kpi(org, editor)
    api = Api(app, make_token(viewer)[1])
    assert api.get(f"/api/v1/kpis/{kpi.id}/measurements").status_code == 200
    assert_problem(api.post(f"/api/v1/kpis/{kpi.id}/measurements", json={"measured_on": "2025-06-30", "value": 1}), 403)
    assert_problem(api.post("/api/v1/initiatives", json={"title": "Viewer's idea"}), 403)
