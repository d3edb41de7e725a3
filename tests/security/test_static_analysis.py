"""bandit over app/ (SECURITY.md R38): no medium or high finding, unless the flagged line says why it is safe.

ruff's ``S`` rules are bandit's checks under the same numbers (B704 is S704), and `make lint` already requires a
``# noqa: S704 - reason`` on each accepted line; bandit reads only ``# nosec``. So a finding counts as justified
when its line carries ``noqa``/``nosec`` for that very check followed by a written reason, and the test fails on
any other finding, naming it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security import figures

pytestmark = pytest.mark.security
ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).with_name("bandit")


def justification(finding: dict) -> str | None:  # type: ignore[type-arg]
    """The reason written on the flagged statement for this check, if any."""
    number = finding["test_id"].removeprefix("B")
    lines = (ROOT / finding["filename"]).read_text().splitlines()
    marker = re.compile(rf"#\s*(?:noqa:[^#]*\bS{number}\b|nosec\b[^#]*\bB{number}\b)\s*(?:-|—|:)\s*(\S.{{4,}})")
    for number_of_line in finding["line_range"]:
        match = marker.search(lines[number_of_line - 1])
        if match:
            return match.group(1).strip()
    return None


def test_bandit_finds_no_unjustified_medium_or_high_issue():
    run = subprocess.run(
        [str(BANDIT), "-r", "app", "-ll", "-f", "json", "-q"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode in (0, 1), run.stderr  # 1 means "found something", which is judged below
    report = json.loads(run.stdout)
    findings = [f for f in report["results"] if f["issue_severity"] in ("MEDIUM", "HIGH")]
    unjustified = [f for f in findings if not justification(f)]
    figures.note(
        "bandit",
        {
            "medium": sum(f["issue_severity"] == "MEDIUM" for f in findings),
            "high": sum(f["issue_severity"] == "HIGH" for f in findings),
            "justified_inline": len(findings) - len(unjustified),
            "unjustified": len(unjustified),
            "lines_scanned": report["metrics"]["_totals"]["loc"],
        },
    )
    assert not report["errors"], report["errors"]
    assert unjustified == [], "bandit findings with no reason on the line:\n" + "\n".join(
        f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_severity']}: {f['issue_text']}"
        for f in unjustified
    )


def test_a_finding_without_a_written_reason_is_not_justified(tmp_path):
    """The check above can fail: a bare ``noqa`` or a reason for another check does not count."""
    source = tmp_path / "sample.py"
    source.write_text(
        "a = Markup(x)  # noqa: S704 - sanitised by nh3 above\n"
        "b = Markup(x)  # noqa: S704\n"
        "c = Markup(x)  # noqa: S608 - another check entirely\n"
        "d = Markup(x)  # nosec B704 - escaped by the caller\n"
    )
    finding = {"test_id": "B704", "filename": str(source)}
    reasons = [justification({**finding, "line_range": [n]}) for n in range(1, 5)]
    assert reasons == ["sanitised by nh3 above", None, None, "escaped by the caller"]
