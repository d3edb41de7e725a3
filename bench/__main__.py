"""``make bench``: time Planwright's pages and print one JSON summary (also bench/results/latest.json).

Each page is requested through the Flask test client (server time, no network) after two
warm-up requests; the summary gives p50 and p95 in milliseconds, the SQL statements one request
runs, and the response size. Data sets:
- drafting: the demo plus a 60-section plan with 12 revisions per section (SQLite);
- pdf: the demo plan, a ~300-page plan and a ~50-page plan of mostly text, cold (fresh worker process) and
  cached (bench/pdf.py);
- portfolio: one organization of the scale data set with 100 and with 10,000 initiatives, on
  SQLite and, when TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL too (its public
  schema is emptied first).
- similarity: "similar work" for a sample of 200 initiatives in a 10,000-initiative family (bench/similarity.py).
- load: Locust against gunicorn with 2 workers on PostgreSQL and the scale data set, a realistic mix, stepped to
  the highest load where every page's p95 stays under 300 ms with 0 errors (bench/load.py; needs
  BENCH_DATABASE_URL or TEST_DATABASE_URL naming a PostgreSQL database, which it empties).
- edit_export: the "edit then export" mix (bench/load.py run_edit_export): 20 people, 10 % edit a section then ask
  for the draft's PDF, 10 % edit, 80 % read plan pages; the plan page's p95 while PDFs render in the app servers' pools,
  with renders at their lower CPU priority and, for comparison, at the pages' (same database requirement).
Options: BENCH_REPEAT (requests per page, default 30); BENCH_PARTS (comma-separated, e.g. ``pdf``) runs only
those parts and replaces just them in bench/results/latest.json, noting the date each part was measured.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import drafting, load, pdf, portfolio, similarity  # noqa: E402

PARTS = {
    "drafting": lambda folder, repeat: drafting.run(folder, repeat),
    "portfolio": lambda folder, repeat: portfolio.run(folder, repeat),
    "pdf": lambda folder, repeat: pdf.run(folder, repeat),
    "similarity": lambda folder, repeat: similarity.run(folder, repeat),
    "load": lambda folder, repeat: load.run(folder),
    "edit_export": lambda folder, repeat: load.run_edit_export(folder),
}


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    chosen = [p.strip() for p in os.environ.get("BENCH_PARTS", "").split(",") if p.strip()] or list(PARTS)
    unknown = sorted(set(chosen) - PARTS.keys())
    if unknown:
        sys.exit(f"BENCH_PARTS: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    out = ROOT / "bench" / "results" / "latest.json"
    summary = json.loads(out.read_text()) if out.exists() and len(chosen) < len(PARTS) else {}
    summary.update(
        {
            "command": "make bench",
            "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
            "requests_per_page": repeat,
        }
    )
    measured = summary.setdefault("measured_on", {})
    with tempfile.TemporaryDirectory() as folder:
        for part in chosen:
            summary[part] = PARTS[part](folder, repeat)
            measured[part] = date.today().isoformat()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
