"""Feature builder and composite on small hand-made frames."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from recommender.dataset import Dataset
from recommender.gain.composite import Standardiser
from recommender.gain.context import active_agents, scoring_since
from recommender.gain.features import ItemTable, item_features, state_features
from recommender.gain.panel import build_panel, window_mean
from recommender.gain.paths import RoleModel
from recommender.gain.toy import tiny_dataset
from recommender.gain.training import build_rows, exposures, outcome
from recommender.gain.weeks import as_dates, week_index

MONDAY = pd.Timestamp("2025-03-03")


def _metrics() -> pd.DataFrame:
    return pd.DataFrame({"metric_code": ["csat", "aht_seconds"], "name": ["c", "a"],
                         "unit": "", "higher_is_better": [True, False], "weight": [3.0, 1.0]})


def _perf(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee_id", "period_start", "metric_code", "value"])


def test_composite_standardises_sign_corrects_and_weights():
    perf = _perf([("a", MONDAY, "csat", 4.0), ("b", MONDAY, "csat", 2.0),
                  ("a", MONDAY, "aht_seconds", 100.0), ("b", MONDAY, "aht_seconds", 300.0)])
    std = Standardiser.fit(_metrics(), perf)
    assert std.metric_codes == ("aht_seconds", "csat")
    assert std.weights == pytest.approx((0.25, 0.75))
    z = std.zscores(np.array([[100.0, 4.0], [300.0, 2.0]]))
    comp = std.combine(z)
    assert comp[0] > 0 > comp[1]  # low AHT and high CSAT are both good
    assert comp[0] == pytest.approx(-comp[1])


def test_composite_uses_the_metrics_present_in_a_week():
    std = Standardiser(("m1", "m2"), (0.0, 0.0), (1.0, 1.0), (1.0, 1.0), (0.5, 0.5))
    assert std.combine(np.array([[np.nan, 2.0]]))[0] == pytest.approx(2.0)
    assert np.isnan(std.combine(np.array([[np.nan, np.nan]]))[0])


def test_state_reads_only_weeks_before_the_exposure_week():
    ds, _ = tiny_dataset(n_agents=6, weeks=20, seed=1)
    std = Standardiser.fit(ds.metrics, ds.performance)
    ids = np.array(sorted(ds.performance["employee_id"].unique()), dtype=object)
    w0 = int(week_index(ds.performance["period_start"].min()))
    panel = build_panel(ds, ids, w0, w0 + 20, std, exposures(ds))
    t = np.array([10, 10])
    before, _ = state_features(panel, np.array([0, 0]), t)
    panel.comp[0, 10:] = 99.0  # the exposure week and later must not leak into state
    after, _ = state_features(panel, np.array([0, 0]), t)
    pd.testing.assert_frame_equal(before, after)
    assert before["comp_last1"].iat[0] == pytest.approx(panel.comp[0, 9])
    assert before["comp_mean4"].iat[0] == pytest.approx(panel.comp[0, 6:10].mean())


def test_outcome_is_eight_weeks_after_minus_four_before():
    ds, _ = tiny_dataset(n_agents=3, weeks=30, seed=2)
    std = Standardiser.fit(ds.metrics, ds.performance)
    ids = np.array(sorted(ds.performance["employee_id"].unique()), dtype=object)
    w0 = int(week_index(ds.performance["period_start"].min()))
    panel = build_panel(ds, ids, w0, w0 + 30, std, exposures(ds))
    y = outcome(panel, np.array([1]), np.array([12]))
    expected = panel.comp[1, 13:21].mean() - panel.comp[1, 8:12].mean()
    assert y[0] == pytest.approx(expected)


def test_item_features_measure_the_agents_gap_on_the_items_skills():
    ds, _ = tiny_dataset(n_agents=4, weeks=16, seed=3)
    ds.skill_assessments = pd.DataFrame({
        "employee_id": ["a000", "a000", "a000"], "skill_code": ["s_calm", "s_tools", "s_sales"],
        "assessed_at": [MONDAY] * 3, "level": [1, 3, 2], "source": "lead"})
    ds.agents.loc[ds.agents["employee_id"] == "a000", "work_arrangement"] = "remote"
    std = Standardiser.fit(ds.metrics, ds.performance)
    ids = np.array(["a000"], dtype=object)
    w = int(week_index(MONDAY))
    panel = build_panel(ds, ids, w - 4, w + 2, std, exposures(ds))
    state, skill = state_features(panel, np.array([0]), np.array([5]))
    items = ItemTable.from_dataset(ds, panel.skill_codes)
    codes = list(items.codes)
    pick = np.array([codes.index("calm_sim"), codes.index("sales_adv"), codes.index("gdpr")])
    feats = item_features(state, skill, np.zeros(3, int), pick, items, np.zeros(3))
    # role "agent" needs s_calm 2 (gap 1); goal "senior" needs 3 everywhere
    assert feats["it_gap_cur_mean"].tolist()[:2] == [1.0, 0.0]
    assert feats["it_gap_next_mean"].tolist()[:2] == [2.0, 1.0]
    assert feats["it_lvl_min"].tolist()[:2] == [1.0, 2.0]
    assert np.isnan(feats["it_gap_cur_mean"].iat[2])  # an item with no skills
    assert feats["remote_x_in_person"].tolist() == [0.0, 1.0, 0.0]
    assert state["gap_next_n"].iat[0] == 2.0  # calm (1<3) and sales (2<3)


def test_next_step_follows_the_goal_path():
    ds, _ = tiny_dataset(n_agents=2, weeks=4)
    roles = RoleModel.from_dataset(ds)
    ix = {c: i for i, c in enumerate(roles.role_codes)}
    assert roles.next_step(ix["agent"], ix["senior"]) == ix["senior"]
    assert roles.next_step(ix["senior"], ix["senior"]) == -1
    assert roles.next_step(ix["agent"], -1) == ix["senior"]


def test_training_rows_pair_exposures_with_controls_and_outcomes():
    ds, _ = tiny_dataset(n_agents=20, weeks=30, seed=4)
    std = Standardiser.fit(ds.metrics, ds.performance)
    ids = np.array(sorted(ds.performance["employee_id"].unique()), dtype=object)
    w0 = int(week_index(ds.performance["period_start"].min()))
    last = int(week_index(ds.as_of))
    expo = exposures(ds)
    panel = build_panel(ds, ids, w0, last + 1, std, expo)
    items = ItemTable.from_dataset(ds, panel.skill_codes)
    rows = build_rows(ds, panel, items, expo, last_week=last, max_controls=10_000, seed=0)
    assert 0 < rows.n_treated < len(rows.y)
    assert (rows.week + 8 <= last).all()  # every outcome window is fully observed
    assert not np.isnan(rows.y).any()
    assert rows.campaign.any()
    control_weeks = set(zip(rows.agent[~rows.treated], rows.week[~rows.treated], strict=True))
    exposed = set(zip(panel.index_of(expo["employee_id"]),
                      week_index(expo["date"]), strict=True))
    assert not control_weeks & exposed


def test_scored_agents_are_active_agents_only():
    ds, _ = tiny_dataset(n_agents=5, weeks=10)
    ids = set(active_agents(ds))
    assert "lead1" not in ids  # leadership role, no performance rows
    assert "future1" not in ids  # hired after as-of
    assert "a004" not in ids  # separated before as-of
    assert {"a000", "a001", "a002", "a003"} <= ids


@pytest.mark.parametrize(("weeks_ago", "scored"), [(11, True), (12, False)])
def test_a_lead_is_scored_while_taking_contacts_in_the_weeks_features_read(weeks_ago,
                                                                           scored):
    ds, _ = tiny_dataset(n_agents=3, weeks=20)
    monday = ds.as_of - pd.Timedelta(days=ds.as_of.weekday())
    taken = pd.DataFrame({"employee_id": ["lead1"], "metric_code": ["csat"], "value": [4.0],
                          "period_start": [monday - pd.Timedelta(weeks=weeks_ago)]})
    ds = replace(ds, performance=pd.concat([ds.performance, taken], ignore_index=True))
    assert ("lead1" in set(active_agents(ds))) is scored
    # the same from scoring's read of those weeks only
    cut = ds.performance[ds.performance["period_start"] >= scoring_since(ds.as_of)]
    assert ("lead1" in set(active_agents(replace(ds, performance=cut)))) is scored


def test_dataset_with_empty_optional_frames_still_builds():
    ds, _ = tiny_dataset(n_agents=3, weeks=12)
    ds = Dataset(**{**ds.__dict__})
    std = Standardiser.fit(ds.metrics, ds.performance)
    panel = build_panel(ds, np.array(["a000"], dtype=object), int(week_index(ds.as_of)) - 5,
                        int(week_index(ds.as_of)) + 1, std, exposures(ds))
    state, _ = state_features(panel, np.array([0]), np.array([6]))
    assert np.isnan(state["sent_mean4"].iat[0]) and np.isnan(state["pulse_wellbeing"].iat[0])


def test_parsed_date_columns_are_used_as_they_are_and_text_is_parsed():
    parsed = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-10", "2023-12-31"]))
    text = parsed.dt.strftime("%Y-%m-%d")
    assert as_dates(parsed) is parsed  # no element-wise pass over a parsed column
    pd.testing.assert_series_equal(as_dates(text), parsed)
    assert list(week_index(parsed)) == list(week_index(text)) == [
        week_index(pd.Timestamp(d)) for d in parsed]
    assert week_index(parsed)[0] + 1 == week_index(parsed)[1]  # Monday, then Wednesday


def test_window_means_do_not_depend_on_how_much_history_the_panel_holds():
    """Scoring reads the last weeks only: its window means must be the whole history's,
    bit for bit, or a tree split learned at a rounding artefact sends the agent the other
    way. Means of whole numbers (QA scores) come out exact."""
    rng = np.random.default_rng(3)
    # Weekly means of a few whole-number scores: thirds, sevenths...
    scores = rng.integers(40, 100, size=(50, 200, 3)) / rng.integers(1, 8, size=(50, 200, 3))
    scores[rng.random(scores.shape) < 0.3] = np.nan
    a, t = np.arange(50), np.full(50, 199)
    whole, n_whole = window_mean(scores, a, t, -8, 0)
    recent, n_recent = window_mean(scores[:, -13:], a, np.full(50, 12), -8, 0)
    assert np.array_equal(whole, recent, equal_nan=True) and np.array_equal(n_whole, n_recent)
    np.testing.assert_allclose(whole, np.nanmean(scores[:, 191:199], axis=1), rtol=1e-12)
    whole_numbers = np.round(scores)
    exact = np.nansum(whole_numbers[:, 191:199], axis=1) / n_whole
    assert np.array_equal(window_mean(whole_numbers, a, t, -8, 0)[0], exact)
    # Windows reaching before the panel's first week count only the weeks inside it.
    early, n_early = window_mean(scores, a, np.full(50, 2), -8, 0)
    assert np.array_equal(n_early, (~np.isnan(scores[:, :2])).sum(1))


def test_exposures_of_some_people_are_theirs_from_the_whole_list():
    ds, _ = tiny_dataset(n_agents=20, weeks=30, seed=4)
    whole = exposures(ds)
    people = np.array(sorted(whole["employee_id"].unique())[::3], dtype=object)
    theirs = exposures(ds, people)
    assert 0 < len(theirs) < len(whole)
    expected = whole[whole["employee_id"].isin(people)].reset_index(drop=True)
    pd.testing.assert_frame_equal(theirs, expected)
