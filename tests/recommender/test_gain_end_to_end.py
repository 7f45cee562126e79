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


def test_scoring_needs_only_the_weekly_signals_it_looks_back_on(centre):
    """Batch scoring reads performance, contacts and QA from `scoring_since`: every
    feature is the same as from the whole history, and so are the lists."""
    from dataclasses import replace

    import numpy as np

    ds, _ = centre
    res = api.train_gain_model(ds, seed=0, params={"n_boot": 2, "tau_rounds": 100})
    since = api.scoring_since(ds.as_of)
    cut = replace(
        ds, performance=ds.performance[ds.performance["period_start"] >= since],
        interactions=ds.interactions[ds.interactions["started_at"] >= since],
        qa_evaluations=ds.qa_evaluations[ds.qa_evaluations["evaluated_at"] >= since])
    assert len(cut.performance) < len(ds.performance) / 2
    config = api.RecommendConfig()
    whole, recent = (api._context(d, res.model.standardiser_, config) for d in (ds, cut))
    assert (whole.agent_ids == recent.agent_ids).all() and (whole.ok == recent.ok).all()
    np.testing.assert_allclose(whole.state.to_numpy(float), recent.state.to_numpy(float),
                               rtol=1e-9, atol=1e-12)
    lists = [api.recommend(d, res.model).ranked.groupby("employee_id")["item_code"]
             .apply(tuple) for d in (ds, cut)]
    assert (lists[0] == lists[1]).mean() > 0.99
