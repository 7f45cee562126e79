"""Batch scoring in chunks any worker can take: same answer as one pass, crash-safe."""

import gc
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from lnd import conf
from lnd.models import Job, ModelVersion, Recommendation, RecommendationRun, ScoringChunk
from lnd.services import ml_jobs, registry
from lnd.services.ml_io import dataset_from_db
from recommender import api

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def centre(simulated_centre) -> Path:
    return simulated_centre(80, 40, 11)


@pytest.fixture
def imported(centre, monkeypatch, tmp_path):
    quiet = io.StringIO()
    call_command("import_data", str(centre), stdout=quiet, stderr=quiet)
    # Deterministic lists: no exploration slot.
    kwargs = {**conf.recommend_config_kwargs(), "epsilon": 0.0}
    monkeypatch.setattr(conf, "recommend_config_kwargs", lambda: kwargs)
    return tmp_path


def _active_model(tmp_path) -> ModelVersion:
    result = api.train_gain_model(dataset_from_db(), seed=0)
    path = tmp_path / "gain.model"
    sha = result.model.save(path)
    version = registry.model_record(
        kind="gain", as_of=timezone.now().date(), seed=0, params={}, feature_names=[],
        metrics={}, library_versions={}, artifact_path=path, artifact_sha256=sha)
    return registry.model_activate(version=version, decision="test")


def _lists(run) -> set[tuple]:
    rows = Recommendation.objects.filter(run=run).values_list(
        "employee__employee_id", "rank", "item__code", "expected_gain", "reasons")
    return {(*row[:-1], tuple(row[-1])) for row in rows}


def test_chunked_scoring_gives_the_same_lists_as_one_pass(imported, monkeypatch):
    _active_model(imported)
    monkeypatch.setattr(conf, "SCORING_CHUNK_AGENTS", 10_000)
    whole = ml_jobs.recommendations_score()
    monkeypatch.setattr(conf, "SCORING_CHUNK_AGENTS", 12)
    chunked = ml_jobs.recommendations_score()
    assert whole.chunks.count() == 1 and chunked.chunks.count() > 3
    assert _lists(chunked) == _lists(whole) != set()
    assert RecommendationRun.objects.get(is_current=True) == chunked


def test_each_chunk_is_read_and_scored_with_the_cyclic_collector_paused(imported,
                                                                       monkeypatch):
    _active_model(imported)
    monkeypatch.setattr(conf, "SCORING_CHUNK_AGENTS", 12)
    collector_on = []
    real = api.recommend
    monkeypatch.setattr(api, "recommend", lambda *a, **k: collector_on.append(
        gc.isenabled()) or real(*a, **k))
    gc.enable()
    run = ml_jobs.recommendations_score()
    assert len(collector_on) == run.chunks.count() > 3
    assert not any(collector_on) and gc.isenabled()


def test_a_worker_reads_the_whole_frames_once_for_all_the_chunks_it_scores(imported,
                                                                           monkeypatch):
    _active_model(imported)
    monkeypatch.setattr(conf, "SCORING_CHUNK_AGENTS", 12)
    reads = []
    real = ml_jobs.whole_frames
    monkeypatch.setattr(ml_jobs, "whole_frames",
                        lambda as_of: reads.append(as_of) or real(as_of))
    run = ml_jobs.recommendations_score()
    assert run.chunks.count() > 3 and reads == [run.as_of]
    assert run.recommendations.exists()


def test_a_chunk_whose_worker_died_is_taken_over_and_its_late_write_discarded(imported):
    run = ml_jobs._resume_or_start_run(job=None, as_of=None)
    dead = ml_jobs._chunk_claim(run=run, worker="dead")
    ScoringChunk.objects.filter(pk=dead.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1))
    assert ml_jobs.chunks_score(run=run, worker="alive") == run.chunks.count()
    before = _lists(run)
    ml_jobs._chunk_process(dead, worker="dead")  # the dead worker wakes up and writes
    assert _lists(run) == before
    assert set(run.chunks.values_list("state", flat=True)) == {"done"}
    assert ScoringChunk.objects.get(pk=dead.pk).worker == "alive"


def test_a_rerun_job_resumes_its_run_and_scores_each_agent_once(imported, monkeypatch):
    monkeypatch.setattr(conf, "SCORING_CHUNK_AGENTS", 12)
    job = Job.objects.create(kind=Job.Kind.RECOMMEND)
    run = ml_jobs._resume_or_start_run(job=job, as_of=None)
    first = ml_jobs._chunk_claim(run=run, worker="crashed")
    ml_jobs._chunk_process(first, worker="crashed")  # one chunk done, then a crash
    job.refresh_from_db()
    resumed = ml_jobs.recommendations_score(job=job)
    assert resumed.pk == run.pk and resumed.is_current
    per_agent = Recommendation.objects.filter(run=run).values_list(
        "employee__employee_id", "rank")
    assert len(per_agent) == len(set(per_agent))
    assert ScoringChunk.objects.get(pk=first.pk).attempts == 1
