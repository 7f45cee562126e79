"""The report's JSON shape and group-size suppression."""

import json

import pytest

from recommender.retention.report import build_retention_report
from tests.recommender.test_retention_fixtures import make_centre


@pytest.fixture(scope="module")
def report():
    ds, _ = make_centre(n_agents=150, weeks=76, seed=51)
    ds.agents.loc[ds.agents.index[:3], "team_code"] = "TINY"
    return build_retention_report(ds, window_weeks=12)


def test_report_has_the_documented_shape_and_is_plain_json(report):
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    dev = report["development"]
    for key in ("window_weeks", "hazard_ratio", "ci_low", "ci_high", "naive_hazard_ratio",
                "n_agents", "n_events"):
        assert key in dev
    assert dev["window_weeks"] == 12 and dev["ci_low"] <= dev["hazard_ratio"] <= dev["ci_high"]
    for key in ("roc_auc", "pr_auc", "base_rate", "brier"):
        assert isinstance(report["attrition_model"][key], float)
    assert isinstance(report["items"], list) and isinstance(report["coaches"], list)
    assert {"programmes", "assumptions", "separations_avoided"} <= set(report["roi"])
    km = report["survival"]["kaplan_meier"]
    assert set(km) == {"work_arrangement", "employment_type", "team_code", "hire_cohort"}
    tiers = [i.get("evidence", "suppressed") for i in report["items"]]
    order = ["positive", "none", "negative", "suppressed"]
    assert set(tiers) <= set(order) and tiers == sorted(tiers, key=order.index)
    assert "positive" in tiers and "none" in tiers
    for i in report["items"]:
        assert ("evidence" in i) == (not i["suppressed"])
        if not i["suppressed"]:
            assert (i["evidence"] == "none") == i["no_measurable_effect"]


def test_every_group_under_five_agents_is_suppressed(report):
    teams = {g["group"]: g for g in report["survival"]["kaplan_meier"]["team_code"]}
    assert teams["TINY"] == {"group": "TINY", "suppressed": True}
    for g in report["items"] + report["coaches"]:
        n = g.get("n_treated", g.get("n_coached"))
        assert g["suppressed"] == (n < 5)
        if g["suppressed"]:
            assert "effect" not in g
    for g in report["survival"]["by_exposure_simon_makuch"]:
        assert g["suppressed"] or g["n_agents"] >= 5


def test_tiny_centre_is_suppressed_whole():
    ds, _ = make_centre(n_agents=3, weeks=8, seed=52)
    ds.separations = ds.separations.iloc[0:0]
    ds.agents = ds.agents[ds.agents["employee_id"].isin(ds.performance["employee_id"].unique()[:3])]
    ds.performance = ds.performance[ds.performance["employee_id"].isin(ds.agents["employee_id"])]
    out = build_retention_report(ds)
    assert out["suppressed"] is True and "development" not in out


def test_report_runs_on_a_minimal_export_without_pulse_skills_qa_or_coaching():
    from recommender.dataset import Dataset, empty_frame

    full, _ = make_centre(n_agents=120, weeks=40, seed=53)
    agents = full.agents.assign(hire_date=None, hourly_cost=None)  # optional columns empty
    ds = Dataset(as_of=full.as_of, agents=agents, performance=full.performance,
                 separations=full.separations, completions=full.completions,
                 metrics=empty_frame("metrics"))
    out = build_retention_report(ds)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert out["development"]["n_agents"] > 100
    assert out["coaches"] == []
