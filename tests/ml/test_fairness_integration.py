"""Fairness through the database: both kinds of training record per-group figures in the
model record, the decision mentions them, the portal and the API show them."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from lnd.models import Employee, ModelVersion, User
from lnd.services import ml_jobs, retention
from recommender.fairness import GROUPINGS
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def centre(simulated_centre) -> Path:
    """Long enough for the risk model's held-out block, big enough for the gain gate's."""
    return simulated_centre(200, 78, 7)


@pytest.fixture
def trained(centre, settings, tmp_path, monkeypatch):
    settings.LND_ARTIFACT_DIR = tmp_path / "artifacts"
    monkeypatch.setenv("LND_FAIRNESS_MIN_AGENTS", "12")
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    return ml_jobs.gain_model_train(), retention.risk_model_train()


def _check_report(version: ModelVersion) -> dict:
    report = version.metrics["fairness"]
    assert report["rule"]["min_agents"] == 12  # the setting reached the rule
    assert report["overall"]["n_agents"] >= 20
    assert set(report["groupings"]) == set(GROUPINGS)
    for entries in report["groupings"].values():
        assert entries and all(e["suppressed"] or e["n_agents"] >= 5 for e in entries)
        assert sum(e.get("n_agents", 0) for e in entries) <= report["overall"]["n_agents"]
    sites = {e["group"] for e in report["groupings"]["site"]}
    assert "Cape Town" in sites  # joined through the agent's team
    for flag in report["flags"]:
        entry = next(e for e in report["groupings"][flag["grouping"]]
                     if e["group"] == flag["group"])
        assert flag["measure"] in entry["flagged"] and entry["n_agents"] >= 12
    assert "Fairness:" in version.decision
    text = json.dumps(report)
    assert not any(e in text for e in Employee.objects.values_list("employee_id", flat=True))
    for word in ("engagement", "wellbeing", "enps", "pulse"):
        assert word not in text
    return report


def test_training_records_fairness_for_both_models_and_the_portal_shows_it(trained, client):
    gain, risk = trained
    gain_report, risk_report = _check_report(gain), _check_report(risk)
    assert {"gain_bias", "item_corr"} <= set(gain_report["overall"])
    assert {"calibration_gap", "ece", "roc_auc", "events"} <= set(risk_report["overall"])

    client.force_login(f.user(User.Role.LD_SPECIALIST))
    html = client.get(reverse("models")).content.decode()
    for v in (gain, risk):
        assert f'id="fairness-{v.pk}"' in html
        for grouping in ("work arrangement", "employment type", "site"):
            assert f"Model {v.pk} by {grouping}" in html
    assert "Gain bias (95% interval)" in html and "Calibration gap (95% interval)" in html
    for flag in gain_report["flags"] + risk_report["flags"]:
        assert flag["text"].split(":")[0] in html

    api = client.get("/api/model-versions/").json()
    served = {v["id"]: v["metrics"].get("fairness") for v in api["results"]}
    assert served[gain.pk] == gain_report and served[risk.pk] == risk_report


def test_a_meaningless_threshold_stops_training_before_any_work(monkeypatch):
    monkeypatch.setenv("LND_FAIRNESS_RISK_CALIBRATION_GAP", "0")
    with pytest.raises(ValueError, match="thresholds must be positive"):
        retention.risk_model_train()
    with pytest.raises(ValueError, match="thresholds must be positive"):
        ml_jobs.gain_model_train()
    assert not ModelVersion.objects.exists()
