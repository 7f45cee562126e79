"""simulate -> load_frames -> train -> recommend -> evaluate, at a small size."""

import pandas as pd
import pytest

from recommender import api
from recommender.simulation import simulate
from tests.contract_frames import load_frames

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    folder = tmp_path_factory.mktemp("centre")
    simulate(folder, n_agents=300, weeks=52, seed=11)
    truth = pd.read_csv(folder / "truth" / "item_gain.csv",
                        dtype={"employee_id": str, "item_code": str})
    return load_frames(folder), truth


def test_model_beats_both_baselines_against_the_simulators_truth(centre):
    ds, truth = centre
    res = api.train_gain_model(ds, seed=0)
    cfg = api.RecommendConfig(epsilon=0.0, path_weight=0.0, budget_minutes_per_week=1e9)
    pool = api.eligible_pairs(ds, config=cfg)
    share = {
        name: api.evaluate_against_truth(ranked, truth, 5, eligible=pool)
        ["share_of_oracle_top5"]
        for name, ranked in (
            ("model", api.recommend(ds, res.model, config=cfg).ranked),
            ("popularity", api.baseline_popularity(ds, 5, config=cfg)),
            ("skill_gap", api.baseline_skill_gap(ds, 5, config=cfg)),
        )
    }
    assert share["model"] > max(share["popularity"], share["skill_gap"]) + 0.1, share


def test_default_recommendations_respect_budget_and_rules(centre):
    ds, _ = centre
    res = api.train_gain_model(ds, seed=0, params={"n_boot": 2, "tau_rounds": 100})
    rs = api.recommend(ds, res.model, config=api.RecommendConfig())
    minutes = rs.ranked["item_code"].map(
        ds.learning_items.set_index("item_code")["duration_minutes"])
    weeks = minutes.groupby([rs.ranked["employee_id"], rs.ranked["plan_week"]])
    assert ((weeks.sum() <= 120) | (weeks.size() == 1)).all()
    # A plan, not one week's worth: most agents get a full list.
    assert rs.ranked.groupby("employee_id").size().median() == 5
    mandatory = set(ds.learning_items.loc[ds.learning_items["mandatory"].astype(bool),
                                          "item_code"])
    assert not set(rs.ranked["item_code"]) & mandatory
    assert set(rs.mandatory["item_code"]) <= mandatory | set(
        ds.learning_items.dropna(subset=["recertify_months"])["item_code"])
