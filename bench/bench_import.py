"""Time importing 500k performance rows (the contract's biggest file).

    LND_VAR_DIR=$(mktemp -d) .venv/bin/python bench/bench_import.py [--rows 500000]

Uses a fresh temporary SQLite database unless DATABASE_URL points elsewhere (then the
tables must exist and be empty of this benchmark's codes). Prints
`import_performance_rows_per_s <median of 3> rows/s`; each run imports into an empty
performance table, so it measures inserts, not the (cheaper) unchanged re-import.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METRICS = ["aht_seconds", "fcr_rate", "csat", "qa_score", "adherence_rate"]


def generate(folder: Path, rows: int) -> int:
    weeks = 52
    agents = max(1, rows // (weeks * len(METRICS)))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "metrics.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["metric_code", "name", "unit", "higher_is_better", "weight"])
        out.writerows([m, m, "", "true", "1"] for m in METRICS)
    with (folder / "teams.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["team_code", "name", "site", "lead_employee_id"])
        out.writerows([f"T{t}", f"Team {t}", "Main", ""] for t in range(agents // 12 + 1))
    with (folder / "agents.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["employee_id", "name", "email", "team_code", "role_code", "hire_date",
                      "work_arrangement", "employment_type"])
        out.writerows([f"E{a:06d}", f"Agent {a}", f"e{a}@example.com", f"T{a // 12}", "",
                       "2023-01-02", "onsite", "full_time"] for a in range(agents))
    first = date(2024, 1, 1)
    written = 0
    with (folder / "performance.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["employee_id", "period_start", "metric_code", "value"])
        for a in range(agents):
            for w in range(weeks):
                monday = (first + timedelta(weeks=w)).isoformat()
                for i, metric in enumerate(METRICS):
                    out.writerow([f"E{a:06d}", monday, metric, f"{(a * 7 + w * 3 + i) % 97:.2f}"])
                    written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lnd-bench-"))
    os.environ.setdefault("LND_VAR_DIR", str(work / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lnd.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from lnd.models import WeeklyPerformance
    from lnd.services.importer import run_import

    call_command("migrate", verbosity=0)
    data = work / "data"
    rows = generate(data, args.rows)
    roster = work / "roster"
    roster.mkdir()
    for name in ("metrics.csv", "teams.csv", "agents.csv"):
        (roster / name).write_bytes((data / name).read_bytes())
    run_import(roster)
    only_perf = work / "perf"
    only_perf.mkdir()
    (only_perf / "performance.csv").write_bytes((data / "performance.csv").read_bytes())
    speeds = []
    for _ in range(args.repeats):
        WeeklyPerformance.objects.all().delete()
        start = time.perf_counter()
        result = run_import(only_perf)
        elapsed = time.perf_counter() - start
        report = result.files[0]
        assert result.ok and report.created == rows, result
        speeds.append(rows / elapsed)
        print(f"  {rows} rows in {elapsed:.1f} s", file=sys.stderr)
    start = time.perf_counter()
    again = run_import(only_perf).files[0]
    print(f"  re-import (all unchanged: {again.unchanged}) in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(f"import_performance_rows_per_s {statistics.median(speeds):.0f} rows/s")


if __name__ == "__main__":
    main()
