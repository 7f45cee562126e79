"""Training, the artifact, recommending with and without a model, reasons, cold start."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import api
from recommender.gain.toy import tiny_dataset

FAST = {"tau_rounds": 60, "mu0_rounds": 60, "n_boot": 3, "min_data_in_leaf": 20}
OPEN = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=1e9, k=5)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def toy():
    ds, truth = tiny_dataset(n_agents=60, weeks=40, seed=7)
    return ds, truth, api.train_gain_model(ds, seed=3, params=FAST)


def test_training_reports_plain_float_metrics_and_its_window(toy):
    ds, _, res = toy
    assert all(isinstance(v, float) for v in res.metrics.values())
    assert {"heldout_item_corr_model", "heldout_item_corr_popularity",
            "heldout_item_corr_skill_gap", "gate_pass", "n_exposures"} <= set(res.metrics)
    assert res.window[1] == ds.as_of
    assert "it_gap_cur_mean" in res.feature_names
    assert not any(name.startswith("item_code") for name in res.feature_names)


def test_fallback_without_a_model_ranks_by_skill_gap_and_says_so():
    ds, _ = tiny_dataset(n_agents=10, weeks=12, seed=1)
    rs = api.recommend(ds, None, config=OPEN)
    assert len(rs.ranked) and rs.ranked["expected_gain"].isna().all()
    assert all("No trained gain model" in r[0] for r in rs.ranked["reasons"])


def test_recommendations_carry_gain_interval_reasons_and_paths(toy):
    ds, _, res = toy
    ranked = api.recommend(ds, res.model, config=api.RecommendConfig()).ranked
    assert list(ranked.columns) == api.RANKED_COLUMNS
    assert (ranked["gain_low"] <= ranked["expected_gain"]).all()
    assert (ranked["expected_gain"] <= ranked["gain_high"]).all()
    assert ranked["reasons"].map(len).between(1, 3).all()
    text = " ".join(s for r in ranked["reasons"] for s in r).lower()
    assert "pulse" not in text and "wellbeing" not in text and "engagement" not in text
    assert (ranked["on_path"] == ranked["path_note"].str.len().gt(0)).all()
    assert ranked["propensity"].between(0, 1).all()


def test_score_adds_the_path_weight_for_items_closing_next_step_gaps(toy):
    ds, _, res = toy
    plain = api.recommend(ds, res.model, config=OPEN).ranked
    assert np.allclose(plain.loc[~plain["on_path"], "score"],
                       plain.loc[~plain["on_path"], "expected_gain"])
    on = plain[plain["on_path"]]
    assert len(on)
    share = on["path_note"].str.extract(r"Targets (\d+) of (\d+)").astype(float)
    expected = on["expected_gain"] + OPEN.path_weight * share[0] / share[1]
    assert np.allclose(on["score"], expected)
    zero = api.recommend(ds, res.model, config=api.RecommendConfig(
        epsilon=0.0, budget_minutes_per_week=1e9, path_weight=0.0)).ranked
    assert np.allclose(zero["score"], zero["expected_gain"])


def test_save_load_round_trip_gives_the_same_predictions(toy, tmp_path):
    ds, _, res = toy
    sha = res.model.save(tmp_path / "m.json")
    assert sha == hashlib.sha256((tmp_path / "m.json").read_bytes()).hexdigest()
    loaded = api.GainModel.load(tmp_path / "m.json")
    a = api.recommend(ds, res.model, config=OPEN).ranked
    b = api.recommend(ds, loaded, config=OPEN).ranked
    pd.testing.assert_frame_equal(a, b)


TRAIN_AND_HASH = """
import sys
from recommender import api
from recommender.gain.toy import tiny_dataset
ds, _ = tiny_dataset(n_agents=40, weeks=30, seed=2)
res = api.train_gain_model(ds, seed=5, params={params!r})
print(res.model.save(sys.argv[1]))
"""


def test_two_trainings_in_separate_processes_write_identical_artifacts(tmp_path):
    code = TRAIN_AND_HASH.format(params=FAST)
    shas = []
    for n in range(2):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / f"m{n}.json")],
                             cwd=ROOT, capture_output=True, text=True, check=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": ""})
        shas.append(out.stdout.strip().splitlines()[-1])
    assert shas[0] == shas[1] and len(shas[0]) == 64
    assert (tmp_path / "m0.json").read_bytes() == (tmp_path / "m1.json").read_bytes()


def test_a_new_item_and_a_new_hire_get_scores_from_skills_and_gaps(toy):
    ds, _, res = toy
    items = ds.learning_items
    new_item = items[items["item_code"] == "calm_sim"].assign(item_code="calm_new",
                                                              title="Calm New")
    ds = api.Dataset(**{**ds.__dict__, "learning_items": pd.concat([items, new_item],
                                                                   ignore_index=True)})
    hire = ds.agents.iloc[[0]].assign(employee_id="newbie",
                                      hire_date=ds.as_of - pd.Timedelta(days=7))
    ds.agents = pd.concat([ds.agents, hire], ignore_index=True)
    ranked = api.recommend(ds, res.model, config=api.RecommendConfig(
        epsilon=0.0, budget_minutes_per_week=1e9, k=10)).ranked
    new = ranked[ranked["item_code"] == "calm_new"]
    assert len(new) and np.isfinite(new["expected_gain"]).all()
    assert any("no past completions" in s for s in new["reasons"].iloc[0])
    newbie = ranked[ranked["employee_id"] == "newbie"]
    assert len(newbie) and np.isfinite(newbie["expected_gain"]).all()


def test_baselines_return_the_ranked_shape(toy):
    ds, _, _ = toy
    for ranked in (api.baseline_popularity(ds, 3), api.baseline_skill_gap(ds, 3)):
        assert list(ranked.columns) == api.RANKED_COLUMNS
        assert ranked["rank"].max() <= 3


def test_evaluation_share_and_ndcg_on_a_known_case():
    truth = pd.DataFrame({"employee_id": ["e"] * 4, "item_code": list("abcd"),
                          "true_gain": [0.4, 0.3, 0.2, -0.1]})
    ranked = pd.DataFrame({"employee_id": ["e", "e"], "item_code": ["c", "a"], "rank": [1, 2],
                           "gain_low": np.nan, "gain_high": np.nan})
    out = api.evaluate_against_truth(ranked, truth, k=2)
    assert out["share_of_oracle_top2"] == pytest.approx(0.6 / 0.7)
    idcg = 0.4 + 0.3 / np.log2(3)
    assert out["ndcg_at_2"] == pytest.approx((0.2 + 0.4 / np.log2(3)) / idcg)
    skipped = api.evaluate_against_truth(ranked, truth.assign(true_gain=-1.0), k=2)
    assert skipped["n_agents"] == 0.0


def test_budget_oracle_is_the_best_set_that_fits():
    truth = pd.DataFrame({"employee_id": ["e"] * 3, "item_code": list("abc"),
                          "true_gain": [0.5, 0.3, 0.25]})
    minutes = pd.Series({"a": 100, "b": 50, "c": 50})
    ranked = pd.DataFrame({"employee_id": ["e", "e"], "item_code": ["b", "c"], "rank": [1, 2],
                           "gain_low": np.nan, "gain_high": np.nan})
    out = api.evaluate_against_truth(ranked, truth, k=2, durations=minutes,
                                     budget_minutes=100)
    assert out["share_of_budget_oracle_top2"] == pytest.approx(1.0)  # b+c beats a alone
    assert out["share_of_oracle_top2"] == pytest.approx(0.55 / 0.8)
