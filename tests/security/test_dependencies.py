"""Known vulnerabilities in the installed packages (SECURITY.md R38): pip-audit, with time-boxed waivers.

pip-audit asks an advisory service over the network, which tests may not do on their own: it runs only when
``PIP_AUDIT=1`` is set (CI and `make security PIP_AUDIT=1`), and otherwise the summary says "skipped" and why.
The waivers file is checked on every run, network or not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.security import figures

pytestmark = pytest.mark.security
WAIVERS = Path(__file__).with_name("pip-audit-waivers.toml")
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
MAX_WAIVER = timedelta(days=366)
UNREACHABLE = (
    "ConnectionError",
    "Max retries exceeded",
    "Failed to establish",
    "Name or service not known",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "timed out",
)


@dataclass(frozen=True)
class Waiver:
    id: str
    package: str
    reason: str
    expires: date


def waiver_problems(entries: list[dict], today: date) -> list[str]:  # type: ignore[type-arg]
    problems = []
    for n, entry in enumerate(entries, 1):
        name = entry.get("id") or f"waiver {n}"
        missing = [key for key in ("id", "package", "reason", "expires") if not entry.get(key)]
        if missing:
            problems.append(f"{name}: missing {', '.join(missing)}")
            continue
        if not isinstance(entry["expires"], date):
            problems.append(f"{name}: expires must be a date such as 2027-03-31")
        elif entry["expires"] < today:
            problems.append(
                f"{name}: expired on {entry['expires']}; renew it with a new reason or upgrade {entry['package']}"
            )
        elif entry["expires"] > today + MAX_WAIVER:
            problems.append(f"{name}: expires more than a year ahead ({entry['expires']})")
        if len(str(entry["reason"]).strip()) < 20:
            problems.append(f"{name}: the reason must say why the vulnerability does not apply or what mitigates it")
    return problems


def load_waivers() -> list[Waiver]:
    entries = tomllib.loads(WAIVERS.read_text()).get("waiver", [])
    problems = waiver_problems(entries, date.today())
    assert not problems, f"{WAIVERS.name}:\n" + "\n".join(problems)
    return [Waiver(**entry) for entry in entries]


def test_every_waiver_has_a_reason_and_an_expiry_that_has_not_passed():
    load_waivers()


def test_expired_or_unexplained_waivers_are_refused():
    today = date(2026, 11, 21)
    good = {
        "id": "GHSA-aaaa-bbbb-cccc",
        "package": "example",
        "reason": "Only reachable through an unused parser.",
        "expires": date(2027, 1, 31),
    }
    assert waiver_problems([good], today) == []
    assert "expired on 2026-11-20" in waiver_problems([{**good, "expires": date(2026, 11, 20)}], today)[0]
    assert "missing reason" in waiver_problems([{**good, "reason": ""}], today)[0]
    assert "more than a year" in waiver_problems([{**good, "expires": date(2028, 1, 1)}], today)[0]


def test_pip_audit_reports_no_known_vulnerability_that_is_not_waived():
    waivers = load_waivers()
    if os.environ.get("PIP_AUDIT") != "1":
        message = "skipped: pip-audit contacts its advisory service over the network; run with PIP_AUDIT=1"
        figures.note("pip_audit", message)
        pytest.skip(message)
    command = [str(PIP_AUDIT), "--local", "--format", "json", "--progress-spinner", "off"]
    for waiver in waivers:
        command += ["--ignore-vuln", waiver.id]
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if run.returncode not in (0, 1) and any(sign in run.stderr for sign in UNREACHABLE):
        message = (
            "skipped: the advisory service could not be reached (" + run.stderr.strip().splitlines()[-1][:200] + ")"
        )
        figures.note("pip_audit", message)
        pytest.skip(message)
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    found = [
        f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln.get('fix_versions') or ['none yet'])})"
        for dep in report.get("dependencies", [])
        for vuln in dep.get("vulns", [])
    ]
    figures.note(
        "pip_audit",
        {"packages": len(report.get("dependencies", [])), "vulnerabilities": len(found), "waived": len(waivers)},
    )
    assert found == [], "known vulnerabilities (upgrade, or waive in pip-audit-waivers.toml):\n" + "\n".join(found)
