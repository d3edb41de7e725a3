"""The security sweep's one summary: printed at the end of the run and saved to tests/security/results/latest.json.

Figures come from tests/security/figures.py (each sweep adds what it checked) and from the outcome of the core
security modules that `make security` runs alongside (CSRF, headers, tenant isolation).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.security import figures

RESULTS = Path(__file__).parent / "results" / "latest.json"
CORE_MODULES = ("tests/core/test_csrf.py", "tests/core/test_headers.py", "tests/core/test_isolation.py")

# Form fuzzing: `ci` is what `make security` and CI run; `dev` keeps a local `pytest tests/security` quick.
# Profiles are registered, never loaded globally: the fuzz tests apply them to themselves only.
_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", max_examples=200, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", max_examples=25, **_COMMON)  # type: ignore[arg-type]


def fuzz_profile() -> str:
    name = os.environ.get("HYPOTHESIS_PROFILE", "dev")
    return name if name in ("ci", "dev") else "dev"


def _outcomes(terminalreporter, prefix: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        reports = terminalreporter.stats.get(outcome, [])
        counts[outcome] = sum(
            1
            for r in reports
            if getattr(r, "nodeid", "").startswith(prefix) and getattr(r, "when", "call") != "teardown"
        )
    return counts


def trust_boundaries(terminalreporter) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Each boundary of tests/security/test_trust_boundaries.py with the outcome of each test that holds it
    (a parametrized test counts as failed when any of its cases failed; "not run" outside `make security`)."""
    from tests.security.test_trust_boundaries import BOUNDARIES

    rank = {"not run": 0, "skipped": 1, "passed": 2, "failed": 3, "error": 3}
    seen: dict[str, str] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            node = getattr(report, "nodeid", "").split("[")[0]
            counts = outcome != "passed" or getattr(report, "when", "call") == "call"
            if node and counts and rank[outcome] > rank[seen.get(node, "not run")]:
                seen[node] = outcome
    section = {}
    for name, boundary in BOUNDARIES.items():
        tests = {str(node): seen.get(str(node), "not run") for node in boundary["tests"]}  # type: ignore[attr-defined]
        section[name] = {
            "must_be_impossible": boundary["impossible"],
            "held": all(outcome == "passed" for outcome in tests.values()),
            "tests": tests,
        }
    return section


def summary(terminalreporter) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    counts, facts = figures.COUNTS, figures.FACTS
    total, classified = facts.get("routes_total", 0), facts.get("routes_classified", 0)
    suites = {module: _outcomes(terminalreporter, module) for module in (*CORE_MODULES, "tests/security/")}
    boundaries = trust_boundaries(terminalreporter)
    failed = sum(s["failed"] + s["error"] for s in suites.values())
    failed += sum(o in ("failed", "error") for b in boundaries.values() for o in b["tests"].values())
    return {
        "result": "fail" if failed else "pass",
        "routes": {
            "url_rules": facts.get("url_rules", 0),
            "total": total,  # (method, URL rule) pairs
            "classified": classified,
            "classified_percent": round(100 * classified / total, 1) if total else None,
        },
        "matrix": {
            "cells_checked": counts["matrix_cells"],
            "unexpected_2xx": counts["unexpected_2xx"],
            "cross_org_leaks": counts["cross_org_leaks"],
            "writes_from_refused_requests": counts["writes_from_refused_requests"],
            "documents_scanned": {
                k.split(".", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("documents_")
            },
        },
        "fuzz": {
            "profile": facts.get("fuzz_profile"),
            "form_classes": counts["fuzz_form_classes"],
            "form_class_examples": counts["fuzz_form_examples"],
            "api_request_models": counts["fuzz_api_models"],
            "api_request_model_examples": counts["fuzz_api_model_examples"],
            "post_routes": counts["fuzz_routes"],
            "route_examples": counts["fuzz_route_examples"],
            "api_bodies": counts["fuzz_api_routes"],
            "api_examples": counts["fuzz_api_examples"],
            "server_errors": counts["fuzz_server_errors"],
            "writes_from_invalid_input": counts["fuzz_invalid_writes"],
        },
        "csrf": {
            "unsafe_routes_checked": counts["csrf_routes"],
            "rejected_missing_token": counts["csrf_rejected_missing"],
            "rejected_wrong_token": counts["csrf_rejected_wrong"],
            "api_routes_refusing_cookie_only": counts["csrf_api_cookie_refused"],
        },
        "headers": {"responses_checked": counts["header_checks"]},
        "bandit": facts.get("bandit", "not run"),
        "pip_audit": facts.get("pip_audit", "not run"),
        "trust_boundaries": boundaries,
        "suites": suites,
    }


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not any(
        r
        for r in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if getattr(r, "nodeid", "").startswith("tests/security/")
    ):
        return  # the security tests did not run (e.g. `make test`)
    report = summary(terminalreporter)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    terminalreporter.section("security evidence (tests/security/results/latest.json)")
    terminalreporter.write_line(json.dumps(report, indent=2))


@pytest.fixture
def fuzz_settings() -> settings:
    figures.note("fuzz_profile", fuzz_profile())
    return settings.get_profile(fuzz_profile())
