"""Item and coach effectiveness: matched staggered DiD, BH, shrinkage, suppression."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recommender.dataset import Dataset
from recommender.retention.effectiveness import (
    K_CONTROLS,
    Matcher,
    _summary,
    _within_week_slopes,
    add_evidence,
    bh_qvalues,
    coach_effects,
    item_effects,
    rank_by_evidence,
    shrink,
)
from recommender.retention.panel import build_panel
from tests.recommender.test_retention_fixtures import make_centre, sim_centre


@pytest.fixture(scope="module")
def results():
    ds, truth = make_centre(n_agents=300, weeks=60, seed=31)
    panel = build_panel(ds)
    return ds, item_effects(ds, panel=panel), coach_effects(ds, panel=panel)


def test_useless_popular_items_rank_last_with_intervals_including_zero(results):
    _, items, _ = results
    codes = [r["item_code"] for r in items]
    assert all("shrunk_effect" in r for r in items)
    assert set(codes[-2:]) == {"USELESS1", "USELESS2"}
    for r in items[-2:]:
        assert abs(r["effect"]) < 0.1
    good = {r["item_code"]: r for r in items}["GOOD1"]
    assert good["ci_low"] > 0 and not good["no_measurable_effect"]
    assert set(good["metrics"]) == {"aht_seconds", "fcr_rate", "csat", "qa_score"}
    assert "p_value" in good["by_work_arrangement"] and "p_value" in good["by_tenure"]


def test_best_coach_is_found_and_estimates_are_shrunk_toward_the_mean(results):
    _, _, coaches = results
    assert coaches[0]["coach_employee_id"] == "C0"
    raw = np.array([c["effect"] for c in coaches])
    shrunk = np.array([c["shrunk_effect"] for c in coaches])
    assert np.ptp(shrunk) <= np.ptp(raw) + 1e-12


def test_groups_under_five_agents_are_suppressed():
    ds, _ = make_centre(n_agents=80, weeks=30, seed=32)
    first = ds.completions.iloc[:3].copy()
    first["item_code"] = "RARE"
    ds.completions = ds.completions._append(first, ignore_index=True)
    items = {r["item_code"]: r for r in item_effects(ds)}
    assert items["RARE"]["suppressed"] and "effect" not in items["RARE"]
    recs = shrink([{"suppressed": True, "coach_employee_id": "X", "n_coached": 2}])
    assert "shrunk_effect" not in recs[0]


def test_reusing_the_same_controls_widens_the_interval_by_their_shared_variance():
    rng = np.random.default_rng(0)
    d = pd.Series(rng.normal(0.1, 0.3, 10), name="composite")
    iid = d.var(ddof=1) / 10
    distinct = pd.DataFrame({"composite": d, "composite__control_var": 1.0,
                             "controls": [tuple(f"C{i}-{k}" for k in range(K_CONTROLS))
                                          for i in range(10)]})
    assert _summary(d, distinct)["se"] ** 2 == pytest.approx(iid)
    # every treated agent matched to the same five controls: each of the 10 * 9 ordered
    # pairs shares five control changes of variance 1, each weighted 1 / K²
    shared = distinct.assign(controls=[tuple(f"C{k}" for k in range(K_CONTROLS))] * 10)
    extra = K_CONTROLS * 10 * 9 / K_CONTROLS ** 2 / 10 ** 2
    assert _summary(d, shared)["se"] ** 2 == pytest.approx(iid + extra)


def _record(code: str, effect: float, se: float) -> dict:
    return {"item_code": code, "suppressed": False, "effect": effect, "se": se,
            "ci_low": effect - 1.96 * se, "ci_high": effect + 1.96 * se,
            "p_value": float(2 * stats.norm.sf(abs(effect / se)))}


def test_items_are_listed_in_evidence_tiers_whatever_their_point_estimates():
    records = [_record("SMALL_SURE", 0.04, 0.01), _record("BIG_UNSURE", 0.09, 0.05),
               _record("LONE_HIT", 0.10, 0.049), _record("FLAT", 0.0, 0.02),
               _record("SURE_HARM", -0.03, 0.008), _record("UNSURE_LOW", -0.07, 0.04),
               {"item_code": "RARE", "suppressed": True, "n_treated": 3}]
    add_evidence([r for r in records if not r["suppressed"]])
    by_shrunk = shrink(records)
    # what the tiers change: by the shrunk estimate alone, two items whose effect cannot
    # be told from 0 top the list and a measurably harmful item is above an unsure one
    assert [r["item_code"] for r in by_shrunk][:3] == ["LONE_HIT", "BIG_UNSURE", "SMALL_SURE"]
    ranked = rank_by_evidence(by_shrunk)
    assert [r["item_code"] for r in ranked] == [
        "SMALL_SURE", "LONE_HIT", "BIG_UNSURE", "FLAT", "UNSURE_LOW", "SURE_HARM", "RARE"]
    tier = {r["item_code"]: r.get("evidence") for r in ranked}
    assert tier == {"SMALL_SURE": "positive", "LONE_HIT": "none", "BIG_UNSURE": "none",
                    "FLAT": "none", "UNSURE_LOW": "none", "SURE_HARM": "negative",
                    "RARE": None}
    # its own interval clears 0 but, one test among six, not after Benjamini–Hochberg
    lone = ranked[1]
    assert lone["ci_low"] > 0 and lone["q_value"] >= 0.05 and lone["no_measurable_effect"]
    assert all(r["no_measurable_effect"] == (r["evidence"] == "none")
               for r in ranked if not r["suppressed"])


def test_benjamini_hochberg_matches_hand_computation():
    q = bh_qvalues([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


@pytest.mark.slow
def test_simulator_useless_popular_items_sit_below_every_measurable_benefit():
    ds, _, _ = sim_centre(400, 78, 7)
    items = [r for r in item_effects(ds) if not r["suppressed"]]
    rank = {r["item_code"]: i for i, r in enumerate(items)}
    useless = [c for c in ("GEN-100", "MIC-WELL", "MIC-MOT", "GAM-QUIZ") if c in rank]
    assert len(useless) >= 3
    tiers = [r["evidence"] for r in items]
    assert tiers == sorted(tiers, key=["positive", "none", "negative"].index)
    last_positive = max(i for i, t in enumerate(tiers) if t == "positive")
    assert all(rank[c] > last_positive for c in useless)
    assert all(items[rank[c]]["evidence"] != "positive" for c in useless)
    # 95% intervals and a small positive selection bias: allow one miss
    holds = [items[rank[c]]["ci_low"] <= 0 <= items[rank[c]]["ci_high"] for c in useless]
    assert sum(holds) >= len(useless) - 1


START = pd.Timestamp("2025-01-06")
LOW_NOISE_METRICS = (("aht_seconds", 400, -40, 10), ("fcr_rate", 0.7, 0.05, 0.015),
                     ("csat", 4.0, 0.3, 0.1), ("qa_score", 80, 5, 1.5))


def _no_effect_centre(seed: int, *, n_agents: int = 80, weeks: int = 60,
                      new_hires: int = 0, keen: bool = False) -> Dataset:
    """A small centre where nothing anyone completes changes performance.

    Weekly performance = the agent's level + a learning curve over the first months in
    the job + noise. Two habits pick who completes what: a lead hands out NOTHING the
    week after a week that is bad *for that agent* (1 below its running mean), and new
    hires choose NOTHING_NEW in their first 8 weeks. Few agents per week, so the nearest
    controls of an agent after a deep dip are less dipped, and those of a new hire
    longer in the job: the plain matched comparison credits both items with a rebound
    or a learning-curve gain they did not cause. With `keen`, agents also choose items
    themselves at very different personal rates: KEEN_NOTHING (no effect) or GOOD (a
    lasting +0.3 from the week after); whoever takes KEEN_NOTHING goes on to take more
    GOOD than agents with the same past who did not take anything that week.
    """
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 0.8, n_agents)
    hire_week = np.where(np.arange(n_agents) < new_hires,
                         rng.integers(-6, weeks - 10, n_agents), -100)
    running = np.full(n_agents, np.nan)
    perf = np.full((n_agents, weeks), np.nan)
    rate = np.clip(0.1 * rng.lognormal(-0.5, 1.0, n_agents), 0, 0.6) if keen else np.zeros(
        n_agents)
    gained = np.zeros(n_agents)
    done = []
    for w in range(weeks):
        tenure = w - hire_week
        on = tenure >= 0
        now = (level + gained + 1.5 * (1 - np.exp(-np.maximum(tenure, 0) / 8))
               + rng.normal(0, 0.5, n_agents))
        chose = on & (rng.random(n_agents) < rate)
        good = chose & (rng.random(n_agents) < 0.5)
        gained += 0.3 * good
        done += [(i, "GOOD" if good[i] else "KEEN_NOTHING", w, "self")
                 for i in np.flatnonzero(chose)]
        perf[on, w] = now[on]
        dip = on & (now < running - 1.0) & (rng.random(n_agents) < 0.5)
        done += [(i, "NOTHING", w + 1, "lead") for i in np.flatnonzero(dip)]
        new = on & (tenure < 8) & (rng.random(n_agents) < 0.15)
        done += [(i, "NOTHING_NEW", w, "self") for i in np.flatnonzero(new)]
        running = np.where(~on, np.nan,
                           np.where(np.isnan(running), now, 0.8 * running + 0.2 * now))
    ids = np.array([f"E{i:04d}" for i in range(n_agents)])
    r, c = np.nonzero(~np.isnan(perf))
    performance = pd.concat([pd.DataFrame({
        "employee_id": ids[r], "period_start": START + pd.to_timedelta(7 * c, unit="D"),
        "metric_code": code, "value": base + slope * perf[r, c] + sd * rng.normal(size=len(r))})
        for code, base, slope, sd in LOW_NOISE_METRICS], ignore_index=True)
    done = pd.DataFrame(done, columns=["row", "item_code", "week", "assigned_by"])
    done = done[done["week"] < weeks]
    return Dataset(
        as_of=START + pd.Timedelta(weeks=weeks - 1),
        agents=pd.DataFrame({
            "employee_id": ids, "name": ids, "email": "", "team_code": "T0",
            "role_code": "AGENT", "hire_date": START + pd.to_timedelta(7 * hire_week, unit="D"),
            "work_arrangement": "onsite", "employment_type": "full_time",
            "goal_role_code": None, "hourly_cost": 20.0}),
        metrics=pd.DataFrame({"metric_code": [m[0] for m in LOW_NOISE_METRICS], "name": "m",
                              "unit": "u", "higher_is_better": [False, True, True, True],
                              "weight": 1.0}),
        performance=performance,
        completions=pd.DataFrame({
            "employee_id": ids[done["row"]], "item_code": done["item_code"].to_numpy(),
            "completed_at": START + pd.to_timedelta(7 * done["week"].to_numpy() + 2, unit="D"),
            "score": 80.0, "assigned_by": done["assigned_by"].to_numpy()}),
    )


def _estimates(ds: Dataset, item: str) -> tuple[dict, dict]:
    """(plain matching, matching with the regression adjustment) for one item."""
    panel = build_panel(ds)
    plain, adjusted = ({r["item_code"]: r for r in item_effects(
        ds, panel=panel, matcher=Matcher(panel, adjust=adjust))}[item]
        for adjust in (False, True))
    return plain, adjusted


def test_a_no_effect_item_leads_hand_out_after_a_dip_is_not_credited_with_the_rebound():
    plain, adjusted = zip(*(_estimates(_no_effect_centre(seed), "NOTHING")
                            for seed in range(4)), strict=True)
    assert np.mean([r["effect"] for r in plain]) > 0.05  # the bias this removes
    assert abs(np.mean([r["effect"] for r in adjusted])) < 0.03
    assert all(r["ci_low"] <= 0 <= r["ci_high"] for r in adjusted)
    assert all(r["n_treated"] >= 25 for r in adjusted)


def test_a_no_effect_item_new_hires_choose_is_not_credited_with_their_learning_curve():
    plain, adjusted = zip(*(_estimates(_no_effect_centre(seed, new_hires=60), "NOTHING_NEW")
                            for seed in range(4)), strict=True)
    assert np.mean([r["effect"] for r in plain]) > 0.15
    assert abs(np.mean([r["effect"] for r in adjusted])) < 0.05
    assert all(r["ci_low"] <= 0 <= r["ci_high"] for r in adjusted)


def test_a_no_effect_item_keen_learners_choose_is_not_credited_with_what_they_take_next():
    plain, adjusted = zip(*(_estimates(_no_effect_centre(seed, n_agents=150, keen=True),
                                       "KEEN_NOTHING") for seed in range(3)), strict=True)
    assert np.mean([r["effect"] for r in plain]) > 0.04
    assert abs(np.mean([r["effect"] for r in adjusted])) < 0.02
    assert all(r["ci_low"] <= 0 <= r["ci_high"] for r in adjusted)


def test_within_week_slopes_ignore_what_moves_every_agent_in_a_week():
    rng = np.random.default_rng(3)
    week = np.repeat(np.arange(30), 40)
    x = rng.normal(size=(len(week), 2)) + week[:, None] * 0.1  # drifts with the week
    shock = rng.normal(0, 5, 30)[week]  # a company-wide shock each week
    y = x @ np.array([0.5, -0.2]) + shock + rng.normal(0, 0.01, len(week))
    assert _within_week_slopes(y, x, week) == pytest.approx([0.5, -0.2], abs=0.01)
