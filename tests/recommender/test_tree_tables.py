"""The lookup-table evaluation of small trees against LightGBM's own predict and
pred_contrib: missing values of each kind, zeros, categorical splits, the S-learner's
difference of contributions, and the fallback for trees too deep for tables."""

import lightgbm as lgb
import numpy as np
import pytest

from recommender import api
from recommender.gain.toy import tiny_dataset
from recommender.gain.tree_tables import Columns, TreeTables


def _data(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    x[:, 4] = rng.integers(0, 6, n)              # categorical, many values
    x[:, 5] = rng.integers(0, 3, n)              # categorical, one-hot style
    x[rng.random(x.shape) < 0.15] = np.nan
    x[rng.random(x.shape) < 0.05] = 0.0
    y = (np.nan_to_num(x[:, 0]) * (x[:, 4] == 2) + np.sin(np.nan_to_num(x[:, 1]))
         + 0.5 * np.isnan(x[:, 2]) + 0.3 * (x[:, 5] == 1) + rng.normal(0, 0.1, n))
    return x, y


def _booster(params: dict, seed: int = 0) -> tuple[lgb.Booster, np.ndarray]:
    x, y = _data(seed)
    data = lgb.Dataset(x, label=y, categorical_feature=[4, 5], params={"verbosity": -1})
    base = {"objective": "regression", "verbosity": -1, "deterministic": True,
            "num_threads": 1, "seed": seed, "min_data_in_leaf": 20,
            "max_cat_to_onehot": 4}
    return lgb.train(base | params, data, num_boost_round=60), _data(seed + 100)[0]


def _probe(x: np.ndarray) -> np.ndarray:
    """Held-out rows plus the awkward values: exact zeros, negative and fractional
    categories, and categories the training never saw."""
    odd = x[:50].copy()
    odd[:, :4] = 0.0
    odd[:10, 4], odd[10:20, 4], odd[20:30, 4] = -1.0, 2.7, 40.0
    return np.vstack([x, odd])


@pytest.mark.parametrize("params", [
    {"num_leaves": 4, "max_depth": 2},
    {"num_leaves": 6, "max_depth": 3},
    {"num_leaves": 4, "max_depth": 2, "zero_as_missing": True},
    {"num_leaves": 4, "max_depth": 2, "use_missing": False},
])
def test_tables_equal_lightgbm_predict_and_pred_contrib(params):
    booster, x = _booster(params)
    x = _probe(x)
    tables = TreeTables.from_booster(booster)
    assert tables is not None
    cols = Columns(x)
    np.testing.assert_allclose(tables.predict(cols), booster.predict(x), rtol=0, atol=1e-12)
    np.testing.assert_allclose(tables.contributions(cols),
                               booster.predict(x, pred_contrib=True), rtol=0, atol=1e-12)


def test_the_tables_see_every_kind_of_split_they_claim_to_handle():
    kinds = set()
    for params in ({"num_leaves": 4, "max_depth": 2},
                   {"num_leaves": 4, "max_depth": 2, "zero_as_missing": True}):
        booster, _ = _booster(params)
        for tree in TreeTables.from_booster(booster).trees:
            kinds |= {("cat" if s.categories is not None else s.missing) for s in tree.splits}
    assert {"cat", "NaN", "Zero"} <= kinds


def test_deep_trees_are_refused_so_callers_use_lightgbm():
    booster, _ = _booster({"num_leaves": 31, "max_depth": -1})
    assert TreeTables.from_booster(booster) is None


@pytest.fixture(scope="module")
def toy_models():
    ds, _ = tiny_dataset(n_agents=60, weeks=40, seed=7)
    fast = {"tau_rounds": 60, "mu0_rounds": 60, "n_boot": 3, "min_data_in_leaf": 20}
    x_model = api.train_gain_model(ds, seed=3, params=fast).model
    s_model = api.train_gain_model(ds, seed=3, params=fast | {"learner": "s"}).model
    return ds, x_model, s_model


@pytest.mark.parametrize("learner", ["x", "s"])
def test_gain_model_gains_reasons_and_intervals_match_lightgbm(toy_models, learner):
    ds, x_model, s_model = toy_models
    model = x_model if learner == "x" else s_model
    ctx = api._context(ds, model.standardiser_, api.RecommendConfig())
    a, i = np.nonzero(ctx.ok)
    x = api.candidate_matrix(ctx, model, a, i)
    codes = np.asarray(ctx.items.codes, dtype=object)[i]
    fast_gain = model.predict_gain(x, codes)
    fast = (model.contributions(x, codes), *model.interval(x, fast_gain))
    model._tables_cache = (None, None)  # force LightGBM's own calls
    try:
        gain = model.predict_gain(x, codes)
        slow = (model.contributions(x, codes), *model.interval(x, gain))
    finally:
        del model._tables_cache
    np.testing.assert_allclose(fast_gain, gain, rtol=0, atol=1e-12)
    for got, want in zip(fast, slow, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, equal_nan=True)


def test_linear_trees_are_refused_so_callers_use_lightgbm():
    booster, _ = _booster({"num_leaves": 4, "max_depth": 2, "linear_tree": True})
    assert TreeTables.from_booster(booster) is None
