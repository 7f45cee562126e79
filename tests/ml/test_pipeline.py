"""simulate → import → train → recommend → export → evaluate, through the real commands."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lnd.models import Assignment, ModelVersion, Recommendation, RecommendationRun
from lnd.services import ml_jobs
from lnd.services.exports import RECOMMENDATION_COLUMNS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def centre(simulated_centre) -> Path:
    return simulated_centre(80, 40, 5)


@pytest.fixture(scope="module")
def bigger_centre(simulated_centre) -> Path:
    """Big enough for the held-out comparison to promote a model (see docs/recommender.md)."""
    return simulated_centre(300, 78, 7)


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_pipeline_runs_through_the_commands(centre, tmp_path, settings):
    settings.LND_ARTIFACT_DIR = tmp_path / "artifacts"
    _run("import_data", str(centre))
    _run("train", "--kind", "gain")
    version = ModelVersion.objects.get()
    assert version.status in ("active", "rejected") and version.decision
    assert (Path(version.artifact_path).parent == tmp_path / "artifacts"
            and len(version.artifact_sha256) == 64)
    gate = ml_jobs.GATE_METRIC
    assert {f"{gate}_model", f"{gate}_popularity", f"{gate}_skill_gap"} <= set(version.metrics)
    assert version.library_versions["lightgbm"] and version.feature_names

    _run("recommend", "--all")
    run = RecommendationRun.objects.get(is_current=True)
    assert run.fallback == (version.status != "active")
    assert Recommendation.objects.filter(run=run).exists()
    mandatory_codes = set(Assignment.objects.filter(assigned_by="system")
                          .values_list("item__code", flat=True))
    ranked_codes = set(Recommendation.objects.values_list("item__code", flat=True))
    assert not mandatory_codes & ranked_codes

    out = tmp_path / "recs.csv"
    call_command("export_recommendations", str(out), stderr=io.StringIO())
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == RECOMMENDATION_COLUMNS
    assert len(rows) == Recommendation.objects.filter(run=run).count()

    table = _run("evaluate", str(centre))
    header, *rows = table.splitlines()
    assert header.split() == ["recommender", "oracle_share@5", "ndcg@5", "eligible_share@5",
                              "interval_cover", "agents"]
    names = {row[:34].strip() for row in rows}
    assert {"popularity", "skill_gap"} < names and all(len(row[34:].split()) == 5 for row in rows)


def test_the_trained_model_beats_both_baselines_against_the_truth(bigger_centre, tmp_path,
                                                                  settings):
    import json

    settings.LND_ARTIFACT_DIR = tmp_path / "artifacts"
    _run("import_data", str(bigger_centre))
    _run("train", "--kind", "gain")
    version = ModelVersion.objects.get()
    assert version.status == "active", version.decision
    _run("recommend", "--all")
    table = json.loads(_run("evaluate", str(bigger_centre), "--format", "json"))
    model = table["model"]["share_of_oracle_top5"]
    assert model > table["popularity"]["share_of_oracle_top5"] + 0.15
    assert model > table["skill_gap"]["share_of_oracle_top5"] + 0.15


def test_scoring_without_a_model_falls_back_to_the_skill_gap_rule_and_says_so(centre):
    _run("import_data", str(centre))
    run = ml_jobs.recommendations_score()
    assert run.fallback and run.model_version is None
    reasons = Recommendation.objects.filter(run=run).values_list("reasons", flat=True)
    assert reasons and all(any("no trained" in r.lower() for r in rs) for rs in reasons)
    assert not Recommendation.objects.filter(run=run, expected_gain__isnull=False).exists()


def test_a_second_training_run_is_refused_while_one_is_live():
    ml_jobs.train_start()
    with pytest.raises(ml_jobs.AlreadyRunning):
        ml_jobs.train_start()


def test_train_command_refuses_while_a_training_job_is_live():
    ml_jobs.train_start()
    with pytest.raises(CommandError, match="already queued or running"):
        _run("train")


def test_evaluate_needs_a_truth_folder(tmp_path):
    with pytest.raises(CommandError, match="no truth"):
        _run("evaluate", str(tmp_path))
