"""Plan PDFs: time and peak memory of a cold render (a fresh worker process) and of a cached request.

Data: the demo plan (about 45 table-dense pages), the scale data set's long plan of about 300 pages (`flask seed
scale`, 150 long sections) and a plan of about 50 pages that is mostly text (20 written sections, 5 initiatives).
Peak RSS is the rendering process's maximum resident set (ru_maxrss of the worker, after its imports).
The cached figure is the median of five repeated requests (fingerprint lookup, reuse, reading the file).
``concurrent_requests``: ten simultaneous requests for a just-edited demo plan through the process pool.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from app.auth.models import User
from app.demo.scale import LONG_PLAN_TITLE, NARRATIVE_PLAN_TITLE, load_scale
from app.demo.seed import load_demo
from app.exports import services
from app.exports.pdf import jobs
from app.extensions import db
from app.plans.models import Plan
from bench.timing import bench_app, sqlite_url

LONG_SECTIONS = 150  # flask seed scale --long-plan-sections: a plan of about 300 pages


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _warm() -> float:
    from app.exports.pdf import render  # noqa: F401 - import WeasyPrint before measuring

    return _peak_rss_mb()


def _cold(job: jobs.RenderJob) -> dict[str, Any]:
    """One job in a fresh worker process (imports and its app made before the clock starts): the job builds
    the print HTML, then renders."""
    context = multiprocessing.get_context("forkserver")
    settings = jobs.app_settings()
    with ProcessPoolExecutor(1, mp_context=context, initializer=jobs.start_worker_app, initargs=(settings,)) as pool:
        baseline = pool.submit(_warm).result()
        started = time.perf_counter()
        result = pool.submit(jobs.run_job, job).result()
        seconds = time.perf_counter() - started
        peak = pool.submit(_peak_rss_mb).result()
    return {"seconds": round(seconds, 2), "pages": result.pages, "peak_rss_mb": peak, "rss_after_import_mb": baseline}


def _measure(app: Any, plan_id: int) -> dict[str, Any]:
    with app.app_context(), app.test_request_context("/"):
        plan = db.session.get(Plan, plan_id)
        assert plan is not None
        started = time.perf_counter()
        requested = services.request_plan_pdf(plan, user=None)
        request_seconds = time.perf_counter() - started  # fingerprint, record, queue: no HTML built
        db.session.commit()
        assert requested.job is not None
        cold = _cold(requested.job)
        services.refresh(requested.export)
        db.session.commit()
        timings = []
        for _ in range(5):  # the cached path: fingerprint lookup, no HTML built, file read
            started = time.perf_counter()
            again = services.request_plan_pdf(plan, user=None)
            path = services.file_path(again.export)
            if path is None:
                return {**cold, "status": again.export.status, "error": again.export.error}
            size = len(path.read_bytes())
            timings.append((time.perf_counter() - started) * 1000)
        cached_ms = sorted(timings)[len(timings) // 2]
    return {
        **cold,
        "request_seconds": round(request_seconds, 3),
        "cached_request_ms": round(cached_ms, 1),
        "bytes": size,
    }


def _long_plan(app: Any) -> int:
    """The scale data set's long plan (``flask seed scale``): one organization, 150 long sections."""
    with app.app_context():
        load_scale(orgs=1, initiatives=30, long_plan_sections=LONG_SECTIONS)
        db.session.commit()
        plan_id = db.session.scalar(db.select(Plan.id).where(Plan.title == LONG_PLAN_TITLE))
        assert plan_id is not None
        return plan_id


def _narrative_plan(app: Any) -> int:
    """The scale data set's plan of about 50 pages that is mostly text (loaded with the long plan)."""
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id).where(Plan.title == NARRATIVE_PLAN_TITLE))
        assert plan_id is not None
        return plan_id


CONCURRENT = 10


def _concurrent(app: Any, plan_id: int) -> dict[str, Any]:
    """10 people ask for the PDF of a just-edited plan at the same moment (test clients in threads, the
    process pool renders): status codes, time until all are answered, time until every export is ready."""
    import threading

    from app.demo.seed import DEMO_USERS

    viewer = next(u for u in DEMO_USERS if u.role == "viewer")
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert plan is not None
        owner = db.session.get(User, plan.owner_id)
        section = plan.sections[0]
        from app.plans import services as plan_services

        plan_services.save_section(
            section, user=owner, title=section.title, body=section.body + "\n\nRevised for the board.",  # type: ignore[arg-type]
            base_version=section.version, ready=True,
        )  # fmt: skip
        db.session.commit()
    from app.exports.models import Export

    with app.app_context():
        before = db.session.scalar(db.select(db.func.max(Export.id))) or 0
    app.config["EXPORT_SYNC"] = False
    clients = []
    for _ in range(CONCURRENT):
        client = app.test_client()
        client.post("/login", data={"email": viewer.email, "password": viewer.password})
        clients.append(client)
    barrier = threading.Barrier(CONCURRENT)
    codes: list[int] = []

    def ask(client: Any) -> None:
        barrier.wait()
        codes.append(client.post(f"/plans/{plan_id}/exports", data={"version": "draft"}).status_code)

    threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = time.perf_counter() - started
    with app.app_context():
        while True:
            exports = list(db.session.scalars(db.select(Export).where(Export.plan_id == plan_id, Export.id > before)))
            for export in exports:
                services.refresh(export)
            db.session.commit()
            if all(e.status_enum.finished for e in exports) or time.perf_counter() - started > 300:
                break
            time.sleep(0.2)
        ready = time.perf_counter() - started
        statuses = sorted(e.status for e in exports)
    jobs.shutdown_pool()
    app.config["EXPORT_SYNC"] = True
    return {
        "requests": CONCURRENT,
        "status_codes": sorted(codes),
        "errors_5xx": sum(code >= 500 for code in codes),
        "all_answered_seconds": round(answered, 2),
        "exports_made": len(exports),
        "export_statuses": statuses,
        "all_ready_seconds": round(ready, 2),
    }


def run(folder: str, repeat: int) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    with bench_app(sqlite_url(folder, "pdf")) as app:
        app.config["EXPORT_DIR"] = str(Path(folder) / "exports")
        with app.app_context():
            load_demo(app.config["PLAN_TEMPLATE_DIR"])
            db.session.commit()
            demo_id = db.session.scalar(db.select(Plan.id).order_by(Plan.id))
        summary["demo_plan"] = _measure(app, demo_id)
        summary["concurrent_requests"] = _concurrent(app, demo_id)
        summary["scale_long_plan"] = _measure(app, _long_plan(app))
        summary["narrative_plan"] = _measure(app, _narrative_plan(app))
    return summary
