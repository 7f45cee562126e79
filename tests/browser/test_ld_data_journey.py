"""An L&D specialist uploads an import with one bad file, watches it run in a real worker
process, reads the rejected rows, then trains a model and watches that finish."""

import csv
import zipfile

import pytest
from django.urls import reverse

from lnd.celery import app as celery_app
from lnd.models import Job
from recommender.simulation import simulate
from tests.services.conftest import start_worker, stop_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def real_worker(world, tmp_path):
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    proc = start_worker(tmp_path / "worker.log")
    yield proc
    stop_worker(proc)


def _centre_with_a_bad_pulse_file(tmp_path):
    folder = tmp_path / "centre"
    simulate(folder, n_agents=60, weeks=40, seed=4)
    with (folder / "pulse_surveys.csv").open("a", newline="") as fh:
        csv.writer(fh).writerow(["E00001", "2025-01-06", "9", "3", "7", ""])  # engagement 9
    bundle = tmp_path / "centre.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for path in sorted(folder.glob("*.*")):
            zf.write(path, path.name)
    return bundle


def test_ld_uploads_an_import_sees_rejected_rows_and_trains(page_as, real_worker, tmp_path):
    page = page_as("ld")
    page.set_default_timeout(120_000)
    page.goto(reverse("data"))
    page.set_input_files("input[type=file]", str(_centre_with_a_bad_pulse_file(tmp_path)))
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_text("rejected row").wait_for()  # polled in by htmx as the job ends
    page.get_by_text("engagement").first.wait_for()
    job = Job.objects.get(kind="import", params__original_name="centre.zip")
    assert job.worker.startswith("test")  # ran in the worker process, not the request
    rejected = job.file_reports.get(file_name="pulse_surveys.csv")
    assert rejected.status == "rejected" and any("engagement" in e for e in rejected.errors)
    assert job.file_reports.get(file_name="performance.csv").status == "imported"

    page.goto(reverse("models"))
    page.get_by_role("button", name="Train now").click()
    status = page.locator("[id^=job-] [role=status]")
    status.get_by_text("Succeeded").wait_for()
    assert page.locator("[id^=job-] progress").get_attribute("value").startswith("1")
    training = Job.objects.filter(kind="train").latest("created_at")
    assert training.state == "succeeded" and training.worker.startswith("test")
