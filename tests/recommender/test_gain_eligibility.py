"""Eligibility, budget, mandatory and recertification rules, exploration propensities."""

import numpy as np
import pandas as pd
import pytest

from recommender import api
from recommender.gain.eligibility import select
from recommender.gain.toy import tiny_dataset

NO_EXPLORE = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=1e9)


def _with_completions(ds, rows):
    extra = pd.DataFrame(rows, columns=["employee_id", "item_code", "completed_at", "score",
                                        "assigned_by"])
    keep = ds.completions[ds.completions["employee_id"] != "a000"]
    ds.completions = pd.concat([f for f in (keep, extra) if len(f)], ignore_index=True)
    return ds


@pytest.fixture
def ds():
    data, _ = tiny_dataset(n_agents=8, weeks=20, seed=5)
    return data


def test_inactive_and_mandatory_items_are_never_ranked(ds):
    ranked = api.recommend(ds, None, config=NO_EXPLORE).ranked
    assert not set(ranked["item_code"]) & {"old_item", "gdpr"}


def test_an_item_needs_its_prerequisites(ds):
    ds = _with_completions(ds, [])
    ranked = api.recommend(ds, None, config=NO_EXPLORE).ranked
    assert "sales_adv" not in set(ranked.loc[ranked["employee_id"] == "a000", "item_code"])
    ds = _with_completions(ds, [("a000", "sales_micro", ds.as_of - pd.Timedelta(weeks=40),
                                 90.0, "self")])
    ranked = api.recommend(ds, None, config=NO_EXPLORE).ranked
    assert "sales_adv" in set(ranked.loc[ranked["employee_id"] == "a000", "item_code"])


def test_recently_completed_items_wait_for_the_cooldown(ds):
    ds = _with_completions(ds, [("a000", "calm_sim", ds.as_of - pd.Timedelta(weeks=3),
                                 90.0, "self")])
    mine = lambda r: set(r.loc[r["employee_id"] == "a000", "item_code"])  # noqa: E731
    assert "calm_sim" not in mine(api.recommend(ds, None, config=NO_EXPLORE).ranked)
    short = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=1e9, cooldown_weeks=2)
    assert "calm_sim" in mine(api.recommend(ds, None, config=short).ranked)


def _minutes(ds, ranked):
    return ranked["item_code"].map(ds.learning_items.set_index("item_code")["duration_minutes"])


def test_weekly_minutes_fit_the_budget(ds):
    cfg = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=100)
    ranked = api.recommend(ds, None, config=cfg).ranked
    weeks = _minutes(ds, ranked).groupby([ranked["employee_id"], ranked["plan_week"]])
    load, items = weeks.sum(), weeks.size()
    # Every week fits, except that an item longer than a week's budget fills weeks alone.
    assert ((load <= 100) | (items == 1)).all() and len(ranked) > 0
    # The plan as a whole fits its weeks: one week's budget alone would cut the list.
    assert _minutes(ds, ranked).groupby(ranked["employee_id"]).sum().max() <= 100 * cfg.plan_weeks


def test_a_one_week_plan_is_cut_at_one_weeks_budget(ds):
    cfg = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=100, plan_weeks=1)
    ranked = api.recommend(ds, None, config=cfg).ranked
    assert _minutes(ds, ranked).groupby(ranked["employee_id"]).sum().max() <= 100
    assert set(ranked["plan_week"]) == {1}


def test_mandatory_items_due_by_rule_with_due_dates(ds):
    mand = api.recommend(ds, None, config=NO_EXPLORE).mandatory
    assert list(mand.columns) == api.MANDATORY_COLUMNS
    gdpr = mand[mand["item_code"] == "gdpr"].set_index("employee_id")
    # the toy completes gdpr in week 2 for the first half; 12-month recert not due yet
    assert "a000" not in gdpr.index
    never = gdpr.loc["a006"]  # a007 has left
    assert never["due_date"] == ds.as_of + pd.Timedelta(days=30)
    assert "mandatory" in never["reason"]


def test_recertification_falls_due_months_after_last_completion(ds):
    done = ds.as_of - pd.DateOffset(months=12) + pd.Timedelta(days=20)
    ds = _with_completions(ds, [("a000", "gdpr", done, 90.0, "system")])
    mand = api.recommend(ds, None, config=NO_EXPLORE).mandatory
    row = mand[(mand["employee_id"] == "a000") & (mand["item_code"] == "gdpr")].iloc[0]
    assert row["due_date"] == done + pd.DateOffset(months=12)
    assert row["reason"].startswith("Recertification")


def test_mandatory_items_due_this_week_use_up_budget(ds):
    ds.completions = ds.completions[ds.completions["item_code"] != "gdpr"]
    cfg = api.RecommendConfig(epsilon=0.0, budget_minutes_per_week=60,
                              mandatory_grace_days=3)
    ranked = api.recommend(ds, None, config=cfg).ranked
    this_week = ranked[ranked["plan_week"] == 1]
    assert _minutes(ds, this_week).groupby(this_week["employee_id"]).sum().max() <= 30  # 60-30


def test_exploration_swaps_the_last_slot_and_records_propensity():
    score = np.tile(np.arange(10, 0, -1, dtype=float), (4000, 1))
    ok = np.ones_like(score, dtype=bool)
    chosen, prop, explored = select(score, ok, np.ones(10), np.full(4000, 1e9), k=3,
                                    epsilon=0.2, seed=1)
    assert (chosen[:, :2] == [0, 1]).all() and (prop[:, :2] == 1.0).all()
    assert explored[:, 2].mean() == pytest.approx(0.2, abs=0.03)
    assert np.allclose(prop[explored[:, 2], 2], 0.2 / 7)
    assert np.allclose(prop[~explored[:, 2], 2], 0.8)
    assert (chosen[explored[:, 2], 2] >= 3).all()
    again = select(score, ok, np.ones(10), np.full(4000, 1e9), k=3, epsilon=0.2, seed=1)
    assert (again[0] == chosen).all()  # seeded: the same draw every run


def test_ranked_frame_has_the_contract_columns(ds):
    ranked = api.recommend(ds, None, config=api.RecommendConfig()).ranked
    assert list(ranked.columns) == api.RANKED_COLUMNS
    assert ranked.groupby("employee_id")["rank"].apply(
        lambda r: list(r) == list(range(1, len(r) + 1))).all()


def test_the_plan_spreads_the_list_over_weeks_within_the_weekly_budget():
    from recommender.gain.eligibility import schedule_weeks

    duration = np.array([60.0, 90.0, 30.0, 300.0, 45.0])
    chosen = np.array([[0, 1, 2, 3, 4], [2, -1, -1, -1, -1]])
    week = schedule_weeks(chosen, duration, first_week_left=np.array([120.0, 10.0]),
                          weekly=120.0)
    # 60 fits week 1 (60 left); 90 does not: week 2 (30 left); 30 fits week 2;
    # 300 needs a fresh week and takes weeks 3-5; 45 fits what week 5 has left (60).
    assert week[0].tolist() == [1, 2, 2, 3, 5]
    # Only 10 minutes left this week: the 30-minute item goes to next week.
    assert week[1].tolist() == [2, 0, 0, 0, 0]
    for agent in range(2):
        for w in set(week[agent]) - {0}:
            load = duration[chosen[agent][week[agent] == w]].sum()
            assert load <= 120.0 or (week[agent] == w).sum() == 1  # one long item alone


def test_the_plan_takes_two_short_items_worth_more_than_one_long_one():
    from recommender.gain.eligibility import plan_fill

    # Greedy by score would take the 480-minute item and have no minutes left.
    score = np.array([[0.10, 0.07, 0.06, -0.01]])
    duration = np.array([480.0, 240.0, 240.0, 30.0])
    chosen = plan_fill(score, duration, np.array([480.0]), k=5)
    assert chosen[0].tolist() == [1, 2, -1, -1, -1]
    # Minutes to spare: the item expected to hurt is only added to fill an empty slot.
    chosen = plan_fill(score, duration, np.array([520.0]), k=5)
    assert chosen[0].tolist() == [1, 2, 3, -1, -1]


@pytest.mark.parametrize(("minutes", "budgets"), [
    # one 15-minute step: the table counts 15-minute units; budgets between steps
    ([15.0, 30.0, 60.0, 120.0, 240.0], [60.0, 150.0, 300.0, 1e9, 74.0, 209.5]),
    ([7.0, 13.0, 29.0, 61.0, 90.0], [40.0, 75.0, 130.0, 1e9]),  # no common step
    ([10.0, 25.0, 45.0, 90.0, 5.0], [42.0, 57.5, 100.0, 1e9]),  # 5-minute steps
    ([5.0, 8.0, 30.0, 60.0, 120.0], [42.0, 97.0, 200.0, 1e9]),  # an 8 off the step
])
def test_the_plan_fill_is_the_best_list_that_fits(minutes, budgets):
    from itertools import combinations

    from recommender.gain.eligibility import plan_fill

    rng = np.random.default_rng(3)
    n_a, n_i, k = 60, 9, 3
    score = rng.normal(0.02, 0.05, (n_a, n_i))
    score[rng.random((n_a, n_i)) < 0.2] = -np.inf  # not eligible
    duration = rng.choice(minutes, n_i)
    budget = rng.choice(budgets, n_a)
    chosen = plan_fill(score, duration, budget, k=k)
    for a in range(n_a):
        picked = chosen[a][chosen[a] >= 0]
        assert duration[picked].sum() <= budget[a]
        assert np.isfinite(score[a, picked]).all()
        assert (np.diff(score[a, picked]) <= 0).all()  # in score order
        best = max(sum(max(score[a, j], 0.0) for j in c)
                   for n in range(k + 1) for c in combinations(range(n_i), n)
                   if duration[list(c)].sum() <= budget[a] and np.isfinite(score[a, list(c)]).all())
        got = np.clip(score[a, picked], 0, None).sum()
        assert got == pytest.approx(best, abs=1e-12)


def test_the_knapsack_table_has_a_column_per_reachable_total_only():
    from recommender.gain.eligibility import _reachable_totals

    # two 5-minute items and one of 8, at most 2 at a time, up to 20 minutes
    totals = _reachable_totals(np.array([5, 5, 8, 30]), k=2, cap=20)
    assert totals.tolist() == [0, 5, 8, 10, 13]


def test_the_few_items_off_the_common_step_are_tried_outside_the_table():
    from recommender.gain.eligibility import _off_step_items

    # 30 minutes is the largest step all but three items share (60 breaks it for four)
    assert _off_step_items(np.array([5, 8, 30, 60, 10]), cap=480) == [0, 1, 4]
    # one 8-minute module among 5-minute steps; a 500-minute item cannot fit anyway
    assert _off_step_items(np.array([5, 10, 15, 20, 45, 8, 500, 25]), cap=480) == [5]
    # no step shared by all but three: every item is in the table
    assert _off_step_items(np.array([7, 11, 13, 17, 19]), cap=480) == []


def test_the_plan_fill_stays_best_when_items_tie_and_many_are_dominated():
    """Copies of an item (same gain, same minutes) and long items worth little: the
    knapsack drops items that k others beat in no more minutes; the plan stays the best."""
    from itertools import combinations

    from recommender.gain.eligibility import _dominated, plan_fill

    rng = np.random.default_rng(11)
    n_a, k = 80, 3
    base = rng.choice([0.01, 0.02, 0.03, 0.05], (n_a, 5))
    score = np.concatenate([base, base[:, :3], rng.normal(0.0, 0.02, (n_a, 2))], axis=1)
    duration = np.array([30.0, 60.0, 60.0, 120.0, 240.0, 30.0, 60.0, 60.0, 480.0, 15.0])
    budget = rng.choice([90.0, 150.0, 480.0], n_a)
    mins = np.ceil(duration).astype(int)
    assert _dominated(np.where(score > 0, score, -np.inf), mins, k).any()
    chosen = plan_fill(score, duration, budget, k=k)
    n_i = score.shape[1]
    for a in range(n_a):
        picked = chosen[a][chosen[a] >= 0]
        assert duration[picked].sum() <= budget[a]
        best = max(sum(max(score[a, j], 0.0) for j in c)
                   for n in range(k + 1) for c in combinations(range(n_i), n)
                   if duration[list(c)].sum() <= budget[a])
        assert np.clip(score[a, picked], 0, None).sum() == pytest.approx(best, abs=1e-12)


def test_exploration_only_swaps_in_an_item_that_fits_the_plan():
    score = np.tile(np.array([0.09, 0.08, 0.07, 0.06, 0.05]), (2000, 1))
    duration = np.array([60.0, 60.0, 60.0, 120.0, 30.0])
    ok = np.ones_like(score, dtype=bool)
    chosen, prop, explored = select(score, ok, duration, np.full(2000, 200.0), k=3,
                                    epsilon=0.5, seed=2)
    # 0.09 + 0.08 + 0.07 fits 180 of 200 minutes; the 120-minute item never fits after
    # the first two, so exploration can only swap in the 30-minute one.
    assert (chosen[:, :2] == [0, 1]).all()
    assert set(chosen[explored[:, 2], 2]) == {4}
    assert np.allclose(prop[explored[:, 2], 2], 0.5)
    assert (duration[chosen].sum(1) <= 200).all()


def test_rule_scores_are_shifted_to_amounts_for_the_plan():
    from recommender.api import _rule_amounts
    from recommender.gain.eligibility import plan_fill

    # The skill-gap rule's scores are all negative: unshifted, the knapsack would see
    # nothing worth taking and fall back to the greedy fill.
    score = np.array([[-2.0, -2.5, -3.0, -1.0]])
    ok = np.array([[True, True, True, False]])
    amounts = _rule_amounts(score, ok)
    assert amounts[0, :3].tolist() == [2.0, 1.5, 1.0] and amounts[0, 3] == -np.inf
    chosen = plan_fill(amounts, np.array([300.0, 150.0, 150.0, 10.0]), np.array([300.0]), k=3)
    assert chosen[0].tolist() == [1, 2, -1]  # 1.5 + 1.0 beats 2.0 alone
