"""Attrition risk model: time split, calibration, artifact hash, confidential drivers."""

import json

import numpy as np
import pytest

from recommender.retention.attrition_model import (
    RiskModel,
    Suggestion,
    evaluate,
    feature_cube,
    score_agents,
    snapshots,
    suggestion_sentence,
)
from recommender.retention.panel import build_panel
from tests.recommender.test_retention_fixtures import make_centre, sim_centre


@pytest.fixture(scope="module")
def centre():
    ds, _ = make_centre(n_agents=250, weeks=70, seed=21)
    panel = build_panel(ds)
    return ds, panel, RiskModel().fit(ds, panel=panel)


def test_held_out_evaluation_beats_chance_and_is_calibrated(centre):
    ds, panel, _ = centre
    ev = evaluate(ds, panel=panel)
    assert ev["roc_auc"] > 0.55  # the hand-made centre has weak signal; see the slow test
    assert ev["pr_auc"] > ev["base_rate"]
    assert ev["mean_abs_calibration_error"] < 0.06
    assert len(ev["reliability"]) == 10


def test_features_use_only_weeks_before_the_snapshot(centre):
    ds, panel, _ = centre
    cube = feature_cube(ds, panel)
    k = 30
    changed = panel.composite.copy()
    changed[:, k:] = 99.0  # the snapshot week and later must not matter
    panel.composite, original = changed, panel.composite
    try:
        cube2 = feature_cube(ds, panel)
    finally:
        panel.composite = original
    np.testing.assert_allclose(cube["perf_4w"][:, k], cube2["perf_4w"][:, k])
    snap = snapshots(ds, panel, cube, [k])
    assert set(snap["label"]) <= {0, 1}


def test_model_artifact_round_trips_with_its_sha256(centre, tmp_path):
    ds, panel, model = centre
    path = tmp_path / "risk.json"
    digest = model.save(path)
    loaded = RiskModel.load(path, sha256=digest)
    snap = snapshots(ds, panel, feature_cube(ds, panel), [len(panel.weeks) - 1])
    np.testing.assert_allclose(model.predict_proba(snap), loaded.predict_proba(snap))
    with pytest.raises(ValueError, match="sha256"):
        RiskModel.load(path, sha256="0" * 64)


def test_scores_every_active_agent_with_drivers_that_never_reveal_pulse(centre):
    ds, panel, model = centre
    scores = score_agents(ds, model, panel=panel, suggested_item="GOOD1")
    gone = set(ds.separations.loc[ds.separations["separation_date"] <= ds.as_of, "employee_id"])
    active = set(ds.performance.loc[ds.performance["period_start"] == ds.as_of,
                                    "employee_id"]) - gone
    assert active <= set(scores["employee_id"])
    assert scores["risk_90d"].between(0, 1).all()
    text = json.dumps(scores["drivers"].tolist()).lower()
    for word in ("pulse", "survey", "wellbeing", "engagement", "enps"):
        assert word not in text
    high = scores[scores["risk_90d"] >= 2 * model.base_rate_]
    assert all(any("Suggested action" in s for s in d) for d in high["drivers"])


def _actions(scores) -> dict[str, list[str]]:
    return {e: [s for s in d if s.startswith("Suggested action")]
            for e, d in zip(scores["employee_id"], scores["drivers"], strict=True)}


def test_high_risk_agents_get_their_own_suggestion_and_low_risk_agents_none(centre):
    ds, panel, model = centre
    everyone = score_agents(ds, model, panel=panel)
    high = set(everyone.loc[everyone["risk_90d"] >= 2 * model.base_rate_, "employee_id"])
    low = set(everyone["employee_id"]) - high
    assert high and low  # the fixture has both, or this test proves nothing
    own = {e: Suggestion(title=f"Course for {e}", source="recommendation", expected_gain=0.04)
           for e in everyone["employee_id"]}
    actions = _actions(score_agents(ds, model, panel=panel, suggestions=own))
    for e in high:
        assert actions[e] == [suggestion_sentence(own[e])]
        assert f"“Course for {e}”" in actions[e][0]
    assert all(actions[e] == [] for e in low)


def test_a_high_risk_agent_without_a_suggestion_gets_the_generic_sentence(centre):
    ds, panel, model = centre
    actions = _actions(score_agents(ds, model, panel=panel, suggestions={}))
    given = [a for a in actions.values() if a]
    assert given and all(a == [suggestion_sentence(None)] for a in given)
    assert given[0][0].startswith("Suggested action: agree a development step")


def test_a_recommendation_suggestion_names_the_item_gain_and_path():
    text = suggestion_sentence(Suggestion(
        title="Handling angry callers (simulation)", source="recommendation",
        expected_gain=0.0412, path_role="Team lead"))
    assert text == ("Suggested action: start “Handling angry callers (simulation)” this week. "
                    "It is their top recommendation (expected change in performance score "
                    "+0.04 over the next 8 weeks) and on their path to Team lead.")
    off_path = suggestion_sentence(Suggestion(title="X", source="recommendation",
                                              expected_gain=-0.01))
    assert off_path.endswith("score -0.01 over the next 8 weeks).")
    no_model = suggestion_sentence(Suggestion(title="X", source="recommendation"))
    assert "ranked by their skill gaps; no gain estimate yet" in no_model


def test_an_effectiveness_suggestion_quotes_the_measured_change():
    text = suggestion_sentence(Suggestion(title="Calm calls", source="effectiveness",
                                          effect=0.052))
    assert text == ("Suggested action: start “Calm calls” this week. It has a measured "
                    "benefit in this centre's data (change in performance score +0.05 over "
                    "the 8 weeks after, against matched agents).")


def test_a_suggestion_fits_the_stored_field_however_long_the_names():
    long = Suggestion(title="T" * 300, source="recommendation", expected_gain=-0.123,
                      path_role="R" * 200)
    text = suggestion_sentence(long)
    assert len(text) <= 300 and "…" in text and text.endswith("….")
    assert len(suggestion_sentence(Suggestion(title="T" * 300, source="effectiveness",
                                              effect=1.5))) <= 300


def test_unfitted_model_refuses_to_predict():
    with pytest.raises(RuntimeError):
        RiskModel().predict_proba(None)


@pytest.mark.slow
def test_simulator_risk_ranks_leavers_nearly_as_well_as_the_truth_and_is_calibrated():
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    ds, _, left = sim_centre(600, 78, 11)
    scores = score_agents(ds)
    m = left.merge(scores, on="employee_id")
    assert len(m) == len(left)  # every agent active at the as-of date is scored
    ratio = roc_auc_score(m["left"], m["risk_90d"]) / roc_auc_score(m["left"], m["true_p13"])
    assert ratio >= 0.85
    decile = pd.qcut(m["true_p13"].rank(method="first"), 10, labels=False)
    gap = m.groupby(decile)[["risk_90d", "true_p13"]].mean().diff(axis=1).abs().iloc[:, 1]
    assert gap.mean() < 0.04
