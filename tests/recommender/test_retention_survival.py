"""Person-period table, left truncation, and the immortal-time trap."""

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter

from recommender.dataset import Dataset
from recommender.retention.cox import exposure_ratio, fit_cox
from recommender.retention.panel import build_panel
from recommender.retention.survival import (
    agent_spells,
    ever_exposed_km,
    km_by_group,
    person_period,
    simon_makuch,
)
from tests.recommender.test_retention_fixtures import START, make_centre


def _tiny() -> Dataset:
    weeks = pd.date_range(START, periods=6, freq="7D")
    perf = [(e, w, "csat", 4.0 + i) for i, e in enumerate(["OLD", "NEW"]) for w in weeks]
    perf = [r for r in perf if not (r[0] == "OLD" and r[1] > weeks[2])]
    return Dataset(
        as_of=weeks[-1],
        agents=pd.DataFrame({"employee_id": ["OLD", "NEW", "LEAD"], "name": "x", "email": "",
                             "team_code": "T", "role_code": "a",
                             "hire_date": [START - pd.Timedelta(weeks=100), START, START],
                             "work_arrangement": "onsite", "employment_type": "full_time",
                             "goal_role_code": None, "hourly_cost": None}),
        performance=pd.DataFrame(perf, columns=["employee_id", "period_start", "metric_code",
                                                "value"]),
        separations=pd.DataFrame({"employee_id": ["OLD"],
                                  "separation_date": [weeks[2] + pd.Timedelta(days=3)],
                                  "reason": ["voluntary"]}),
        completions=pd.DataFrame({"employee_id": ["NEW"], "item_code": ["I"],
                                  "completed_at": [weeks[1] + pd.Timedelta(days=1)],
                                  "score": [None], "assigned_by": ["self"]}),
    )


def test_agents_hired_before_data_start_enter_late_and_only_agents_are_at_risk():
    pp = person_period(_tiny())
    assert set(pp["employee_id"]) == {"OLD", "NEW"}  # the lead has no performance rows
    old = pp[pp["employee_id"] == "OLD"]
    assert old["start"].min() == pytest.approx(100.0)
    assert old["stop"].max() == pytest.approx(102 + 4 / 7)  # the separation day is at risk
    assert old["event_voluntary"].sum() == 1 and old["event_voluntary"].iloc[-1] == 1
    new = pp[pp["employee_id"] == "NEW"]
    assert new["start"].min() == 0.0 and new["event_any"].sum() == 0
    # exposure starts the week after the completion, never the same week
    assert new["exposed"].tolist() == [0, 0, 1, 1, 1, 1]


def test_a_monday_separation_is_an_event_of_its_own_week_with_that_weeks_exposure():
    ds = _tiny()
    weeks = pd.date_range(START, periods=6, freq="7D")
    ds.separations["separation_date"] = [weeks[3]]  # the Monday after OLD's last week
    ds.completions = pd.concat([ds.completions, pd.DataFrame({
        "employee_id": ["OLD"], "item_code": ["I"],
        "completed_at": [weeks[2] + pd.Timedelta(days=2)], "score": [None],
        "assigned_by": ["self"]})], ignore_index=True)
    old = person_period(ds).query("employee_id == 'OLD'")
    event = old[old["event_voluntary"] == 1]
    assert len(event) == 1 and pd.Timestamp(event["week"].iloc[0]) == weeks[3]
    assert event["stop"].iloc[0] - event["start"].iloc[0] == pytest.approx(1 / 7)
    # the completion of the week before counts, as it did when the agent decided to go
    assert event["exposed"].iloc[0] == 1


def test_a_frontline_leaver_without_performance_rows_is_at_risk_and_staff_are_not():
    ds = _tiny()
    ds.roles = pd.DataFrame({"role_code": ["a", "team_lead"], "name": "r",
                             "family": ["frontline", "leadership"], "level": [1, 3]})
    ds.agents.loc[ds.agents["employee_id"] == "LEAD", "role_code"] = "team_lead"
    extra = pd.DataFrame({"employee_id": ["GONE"], "name": "x", "email": "", "team_code": "T",
                          "role_code": "a", "hire_date": [START - pd.Timedelta(weeks=30)],
                          "work_arrangement": "onsite", "employment_type": "full_time",
                          "goal_role_code": None, "hourly_cost": None})
    ds.agents = pd.concat([ds.agents, extra], ignore_index=True)
    ds.separations = pd.concat([ds.separations, pd.DataFrame({
        "employee_id": ["GONE", "LEAD"], "separation_date": [START + pd.Timedelta(days=1)] * 2,
        "reason": ["voluntary", "voluntary"]})], ignore_index=True)
    pp = person_period(ds)
    # dropping GONE would drop a leaver only: the first week would look leaver-free
    gone = pp[pp["employee_id"] == "GONE"]
    assert len(gone) == 1 and gone["event_voluntary"].sum() == 1
    assert gone["start"].iloc[0] == pytest.approx(30.0)
    assert gone["stop"].iloc[0] == pytest.approx(30 + 2 / 7)
    assert "LEAD" not in set(pp["employee_id"])


def test_follow_up_ends_on_the_as_of_day():
    ds = _tiny()
    new = person_period(ds).query("employee_id == 'NEW'")
    # data_end is the as-of Monday: the rest of that week is not observed yet
    assert new["stop"].max() == pytest.approx(5 + 1 / 7)


@pytest.mark.slow
def test_simulator_every_voluntary_leaver_in_the_window_is_an_event():
    from tests.recommender.test_retention_fixtures import sim_centre

    ds, _, _ = sim_centre(300, 78, 201)
    pp = person_period(ds)
    data_start = pd.to_datetime(ds.performance["period_start"]).min()
    sep = ds.separations.assign(d=pd.to_datetime(ds.separations["separation_date"]))
    inside = sep[(sep["d"] >= data_start) & (sep["d"] <= ds.as_of)
                 & (sep["reason"] == "voluntary")]
    frontline = ds.agents.drop_duplicates("employee_id").set_index("employee_id")["role_code"]
    inside = inside[frontline.reindex(inside["employee_id"]).isin(["agent", "senior_agent"])
                    .to_numpy()]
    events = pp[pp["event_voluntary"] == 1]
    assert len(events) == len(inside) > 50
    # each event sits in the week that contains its separation date
    when = inside.set_index("employee_id")["d"].reindex(events["employee_id"])
    monday = when - pd.to_timedelta(when.dt.weekday, unit="D")
    assert (monday.to_numpy() == pd.to_datetime(events["week"]).to_numpy()).all()


def test_km_with_delayed_entry_recovers_survival_that_naive_km_overstates():
    # Hazard depends on tenure only (high early). Agents hired long ago were only seen
    # once they had survived their risky first months.
    ds, _ = make_centre(n_agents=300, weeks=40, seed=3, hr=1.0, perf_beta=0.0, wb_beta=0.0,
                        train_base=0.0, dip_boost=0.0, invol_hazard=0.0)
    spells = agent_spells(person_period(ds))
    entry_km = KaplanMeierFitter().fit(spells["exit"], spells["voluntary"],
                                       entry=spells["entry"])
    naive_km = KaplanMeierFitter().fit(spells["exit"], spells["voluntary"])
    at = 100.0
    s_entry = float(entry_km.survival_function_at_times(at).iloc[0])
    s_naive = float(naive_km.survival_function_at_times(at).iloc[0])
    # S(100) with delayed entry is far below the naive one, which treats the late entrants
    # as if nobody could have left before they were observed.
    assert s_naive - s_entry > 0.1


def test_ever_trained_shows_a_spurious_benefit_that_time_varying_methods_do_not():
    # Development has no effect and is unrelated to performance; but agents who stay
    # longer have more chances to be trained, so "ever trained" looks protective.
    ds, _ = make_centre(n_agents=300, weeks=60, seed=5, hr=1.0, dip_boost=0.0,
                        train_base=0.04)
    pp = person_period(ds)
    spells = agent_spells(pp)
    ever = {g["group"]: g for g in ever_exposed_km(spells)}
    s_ever = {k: [c for c in g["curve"] if c["t_weeks"] == 52][0]["survival"]
              for k, g in ever.items()}
    assert s_ever["ever exposed"] - s_ever["never exposed"] > 0.2  # the biased picture
    fixed = CoxPHFitter().fit(
        spells.assign(d=spells["exit"] - spells["entry"])[["d", "voluntary", "ever_exposed"]],
        "d", "voluntary")
    assert np.exp(fixed.params_["ever_exposed"]) < 0.6

    sm = {g["group"]: g for g in simon_makuch(pp)}
    s_sm = {k: [c for c in g["curve"] if c["t_weeks"] == 52][0]["survival"]
            for k, g in sm.items()}
    assert abs(s_sm["exposed"] - s_sm["not exposed"]) < 0.12
    tv = exposure_ratio(fit_cox(pp, "event_voluntary", adjusted=False))
    assert tv["ci_low"] < 1.0 < tv["ci_high"]


def test_km_groups_under_five_agents_are_suppressed():
    ds, _ = make_centre(n_agents=60, weeks=20, seed=2)
    ds.agents.loc[ds.agents.index[:3], "team_code"] = "TINY"
    spells = agent_spells(person_period(ds))
    teams = {g["group"]: g for g in km_by_group(spells, "team_code")}
    assert teams["TINY"] == {"group": "TINY", "suppressed": True}
    assert all("curve" in g for g in teams.values() if not g["suppressed"])


def test_composite_is_standardised_and_sign_corrected():
    ds, _ = make_centre(n_agents=50, weeks=10, seed=4)
    panel = build_panel(ds)
    assert np.nanmean(panel.metric_z["aht_seconds"]) == pytest.approx(0.0, abs=1e-9)
    # aht is lower-is-better: its z-score must move with the other metrics
    corr = np.corrcoef(np.nan_to_num(panel.metric_z["aht_seconds"]).ravel(),
                       np.nan_to_num(panel.metric_z["csat"]).ravel())[0, 1]
    assert corr > 0.5


@pytest.mark.parametrize("fitter", ["KaplanMeierFitter", "BreslowFlemingHarringtonFitter"])
def test_curve_intervals_are_low_then_high_whichever_estimator(fitter):
    import lifelines

    from recommender.retention.survival import _curve

    rng = np.random.default_rng(3)
    durations = rng.integers(1, 40, 80).astype(float)
    events = rng.random(80) < 0.6
    fitted = getattr(lifelines, fitter)().fit(durations, events, label="g")
    curve = _curve(fitted, [5, 10, 20, 30])
    assert curve and all(p["ci_low"] <= p["survival"] <= p["ci_high"] for p in curve)
