"""An import queued from the web side runs in a real worker process; the job record is
how the portal follows it. Runs twice in CI: embedded (SQLite + filesystem broker) and
on services (PostgreSQL + Redis)."""

import csv
from datetime import date, timedelta

import pytest
from django.db import connection

from lnd.models import Employee, ImportFileReport, Job, WeeklyPerformance
from lnd.services.jobs import job_create

from .conftest import wait_for_job

METRICS = ["aht_seconds", "fcr_rate", "csat", "qa_score", "adherence_rate",
           "customer_sentiment"]


def write_centre(folder, *, agents: int, weeks: int) -> int:
    folder.mkdir()
    rows = {
        "metrics.csv": [["metric_code", "name", "unit", "higher_is_better", "weight"]]
        + [[m, m, "", "false" if m == "aht_seconds" else "true", "1"] for m in METRICS],
        "teams.csv": [["team_code", "name", "site", "lead_employee_id"], ["T1", "Team 1",
                                                                         "Leeds", ""]],
        "agents.csv": [["employee_id", "name", "email", "team_code", "role_code", "hire_date",
                        "work_arrangement", "employment_type"]]
        + [[f"E{i}", f"Agent {i}", f"e{i}@example.com", "T1", "", "2023-01-02", "remote",
            "full_time"] for i in range(agents)],
    }
    monday = date(2024, 1, 1)
    perf = [["employee_id", "period_start", "metric_code", "value"]]
    for w in range(weeks):
        week = (monday + timedelta(weeks=w)).isoformat()
        perf += [[f"E{i}", week, m, str(0.5 + (i * w % 7) / 10)]
                 for i in range(agents) for m in METRICS]
    rows["performance.csv"] = perf
    for name, content in rows.items():
        with (folder / name).open("w", newline="") as fh:
            csv.writer(fh).writerows(content)
    return len(perf) - 1


def _import_runs_in_the_worker(tmp_path):
    n_perf = write_centre(tmp_path / "centre", agents=150, weeks=52)
    job = job_create(kind=Job.Kind.IMPORT, params={"path": str(tmp_path / "centre")})
    seen = []
    job = wait_for_job(job.pk, on_poll=lambda j: seen.append((j.state, j.progress)))
    assert job.state == "succeeded", job.error
    assert job.progress == 1.0 and job.worker.startswith("test")
    assert any(state == "running" and 0 < p < 1 for state, p in seen), seen
    assert WeeklyPerformance.objects.count() == n_perf
    assert Employee.objects.count() == 150
    reports = {r.file_name: r for r in ImportFileReport.objects.filter(job=job)}
    assert reports["performance.csv"].created == n_perf


@pytest.mark.worker
def test_import_runs_in_an_embedded_worker(worker, tmp_path):
    assert connection.vendor == "sqlite"
    _import_runs_in_the_worker(tmp_path)


@pytest.mark.services
def test_import_runs_in_a_worker_on_redis_and_postgres(worker, tmp_path):
    assert connection.vendor == "postgresql"
    from django.conf import settings
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    _import_runs_in_the_worker(tmp_path)
