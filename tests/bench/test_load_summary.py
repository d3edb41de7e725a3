"""The load part of ``make bench`` reads Locust's CSV into the figures the README quotes, and says why it was
skipped on a machine without PostgreSQL."""

from pathlib import Path

import pytest

from bench import load

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def _row(method: str, name: str, count: int, failures: int, rate: float, p50: str, p95: str, p99: str) -> str:
    return f"{method},{name},{count},{failures},{p50},1,1,1,1,{rate},0,{p50},1,1,1,1,{p95},1,{p99},1,1,1"


def _write(prefix: Path, rows: list[str], failures: tuple[str, ...] = ()) -> None:
    Path(f"{prefix}_stats.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    Path(f"{prefix}_failures.csv").write_text(
        "\n".join(["Method,Name,Error,Occurrences,First Seen,Last Seen", *failures]) + "\n"
    )


def test_figures_leave_out_sign_in_and_take_the_slowest_page_type(tmp_path: Path) -> None:
    prefix = tmp_path / "run"
    _write(
        prefix,
        [
            _row("POST", "[setup] sign in", 40, 0, 0.0, "900", "2000", "2100"),
            _row("GET", "plan page", 300, 0, 10.0, "80", "250", "400"),
            _row("GET", "portfolio list", 200, 0, 6.5, "60", "180", "220"),
            _row("POST", "export request", 20, 0, 0.5, "700", "1500", "1600"),
            _row("", "Aggregated", 560, 0, 17.0, "80", "900", "2000"),
        ],
    )
    figures = load.read_stats(prefix)
    assert sorted(figures["by_request"]) == ["export request", "plan page", "portfolio list"]
    assert figures["requests"] == 520 and figures["requests_per_second"] == 17.0 and figures["errors"] == 0
    assert figures["worst_page_p95_ms"] == 250.0  # pages are GETs; the slow PDF request is an action
    assert figures["by_request"]["plan page"] == {
        "method": "GET",
        "requests": 300,
        "failures": 0,
        "requests_per_second": 10.0,
        "p50_ms": 80.0,
        "p95_ms": 250.0,
        "p99_ms": 400.0,
    }
    assert load.meets_target({**figures, "users": 10, "seconds": 20})


def test_a_failure_or_a_slow_page_misses_the_target_and_is_named(tmp_path: Path) -> None:
    prefix = tmp_path / "run"
    _write(
        prefix,
        [
            _row("GET", "plan page", 300, 0, 10.0, "80", "310", "400"),
            _row("POST", "save section", 30, 1, 1, "9", "9", "9"),
        ],
        ("POST,save section,\"CatchResponseError('status 500: ')\",1,0,0",),
    )
    figures = load.read_stats(prefix)
    assert figures["errors"] == 1 and not load.meets_target(figures)
    assert figures["failures"] == [
        {"request": "save section", "error": "CatchResponseError('status 500: ')", "occurrences": 1}
    ]
    assert not load.meets_target({**figures, "errors": 0})  # 310 ms is over 300 ms


def test_without_postgresql_the_summary_says_how_to_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("TEST_DATABASE_URL", "sqlite:///elsewhere.db")
    assert load.run() == {"skipped": "needs PostgreSQL: set BENCH_DATABASE_URL"}
