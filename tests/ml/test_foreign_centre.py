"""The whole product on a centre exported by someone else's tools (tests/foreign_centre.py):
import → train → recommend → export → evaluate → risk → retention report, through the
commands, with none of the simulator's codes and with most optional files missing."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from lnd.models import Employee, Metric, ModelVersion, Recommendation, RecommendationRun, RiskRun
from lnd.services import registry
from tests.foreign_centre import foreign_copy

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize("minimal", [False, True], ids=["renamed", "minimal-files"])
def test_a_centre_from_other_tools_goes_through_every_command(
        simulated_centre, tmp_path, settings, minimal):
    settings.LND_ARTIFACT_DIR = tmp_path / "artifacts"
    centre = foreign_copy(simulated_centre(100, 60, 8), tmp_path / "acme", minimal=minimal)
    _run("import_data", str(centre))
    assert set(Metric.objects.values_list("code", flat=True)) == {
        "aht_seconds", "fcr_rate", "csat", "qa_score", "transfer_rate"}
    assert not Employee.objects.filter(employee_id__startswith="E0").exists()

    _run("train", "--kind", "gain")
    version = ModelVersion.objects.get(kind="gain")
    assert version.status in ("active", "rejected") and version.decision
    assert any("transfer_rate" in name for name in version.feature_names)

    _run("recommend", "--all")
    run = RecommendationRun.objects.get(is_current=True)
    shown = Recommendation.objects.filter(run=run)
    agents = set(shown.values_list("employee__employee_id", flat=True))
    truth = {row["employee_id"] for row in csv.DictReader(
        (centre / "truth" / "item_gain.csv").read_text().splitlines())}
    assert len(agents & truth) >= 0.9 * len(truth)
    assert all(code.startswith("lms/") for code in shown.values_list("item__code", flat=True))
    assert all(r.reasons for r in shown[:50])

    out = tmp_path / "recs.csv"
    call_command("export_recommendations", str(out), stderr=io.StringIO())
    assert len(list(csv.DictReader(out.read_text().splitlines()))) == shown.count()

    table = _run("evaluate", str(centre))
    assert "popularity" in table and "skill_gap" in table

    _run("train", "--kind", "risk")
    risk = ModelVersion.objects.get(kind="risk")
    assert risk.decision and {"roc_auc", "brier"} <= set(risk.metrics)
    if risk.status != "active":  # the gate spoke on this small centre; score with it anyway
        registry.model_activate(version=risk, decision="test")
    _run("score_risk")
    assert RiskRun.objects.get(is_current=True).scores.count() >= 0.9 * len(truth)
    report = json.loads(_run("report", "retention"))
    assert report


def test_the_foreign_copy_really_is_foreign(simulated_centre, tmp_path):
    """The rewrite the test above relies on: no simulator code survives in any file."""
    source = simulated_centre(100, 60, 8)
    centre = foreign_copy(source, tmp_path / "acme")
    raw = (centre / "agents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    for name in ("agents.csv", "learning_items.csv", "completions.csv", "career_paths.csv"):
        text = (centre / name).read_text(encoding="utf-8-sig")
        assert "E000" not in text and "PK-101" not in text and ",agent," not in text
    assert "E000" not in (centre / "xapi_statements.jsonl").read_text()
    assert Path(centre / "truth" / "item_gain.csv").read_text().count("acme-") > 100
