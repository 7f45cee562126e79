from datetime import date

import pytest

from lnd.models import Metric, ModelVersion
from lnd.services import registry

pytestmark = pytest.mark.django_db


def _candidate(**fields) -> ModelVersion:
    return registry.model_record(
        kind="gain", as_of=date(2025, 6, 2), seed=0, params={}, feature_names=["x"],
        metrics={}, library_versions={}, artifact_path="/nonexistent",
        artifact_sha256="0" * 64, **fields)


def test_a_model_that_beats_baselines_and_active_is_promoted():
    first = registry.model_gate(candidate=_candidate(), candidate_score=0.5,
                                baseline_scores={"popularity": 0.1, "skill_gap": 0.2},
                                active_score=None)
    assert first.status == "active"
    second = registry.model_gate(candidate=_candidate(), candidate_score=0.6,
                                 baseline_scores={"popularity": 0.1, "skill_gap": 0.2},
                                 active_score=0.55)
    first.refresh_from_db()
    assert (second.status, first.status) == ("active", "retired")
    assert "beats" in second.decision


def test_a_worse_model_is_rejected_and_the_active_one_stays():
    active = registry.model_gate(candidate=_candidate(), candidate_score=0.5,
                                 baseline_scores={"popularity": 0.1}, active_score=None)
    worse = registry.model_gate(candidate=_candidate(), candidate_score=0.45,
                                baseline_scores={"popularity": 0.1}, active_score=0.5)
    active.refresh_from_db()
    assert (worse.status, active.status) == ("rejected", "active")
    assert "active model" in worse.decision
    assert registry.active_model("gain") == active


def test_a_model_that_loses_to_a_baseline_is_rejected_with_the_reason():
    loser = registry.model_gate(candidate=_candidate(), candidate_score=0.15,
                                baseline_scores={"popularity": 0.1, "skill_gap": 0.2},
                                active_score=None)
    assert loser.status == "rejected"
    assert "skill_gap (0.2000)" in loser.decision and "popularity" not in loser.decision
    assert registry.active_model("gain") is None


def test_rollback_reactivates_an_earlier_model():
    old = registry.model_gate(candidate=_candidate(), candidate_score=0.5,
                              baseline_scores={}, active_score=None)
    new = registry.model_gate(candidate=_candidate(), candidate_score=0.6,
                              baseline_scores={}, active_score=0.5)
    registry.model_rollback(to_version=old, by="ld")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("active", "retired")
    assert "Rolled back" in old.decision


def test_changing_metric_weights_marks_gain_models_stale():
    Metric.objects.create(code="csat", name="CSAT", weight=1)
    model = registry.model_gate(candidate=_candidate(), candidate_score=0.5,
                                baseline_scores={}, active_score=None)
    assert registry.models_mark_stale() == 0
    Metric.objects.filter(code="csat").update(weight=2)
    assert registry.models_mark_stale() == 1
    model.refresh_from_db()
    assert model.stale is True


def test_load_model_refuses_an_artifact_whose_hash_changed(tmp_path):
    artifact = tmp_path / "m.bin"
    artifact.write_bytes(b"model-bytes")
    version = _candidate()
    version.artifact_path, version.artifact_sha256 = str(artifact), registry.sha256_of(artifact)
    assert registry.load_model(version, lambda p: p.read_bytes()) == b"model-bytes"
    artifact.write_bytes(b"tampered")
    version.artifact_sha256 = "f" * 64
    with pytest.raises(registry.ArtifactMismatch):
        registry.load_model(version, lambda p: p.read_bytes())
