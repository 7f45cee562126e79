"""Person-period table and descriptive survival curves on the time-since-hire scale.

Time is weeks since hire. Agents hired before the data starts enter late (left
truncation): they are only at risk from the first performance week on, so every curve and
model here uses `entry`/`start` rather than pretending we saw them from hire.
Development exposure is time-varying: curves by exposure use the Simon–Makuch estimator
(agents move between groups as their exposure changes), never "ever trained" groups,
which would credit training with the immortal time before it happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter, BreslowFlemingHarringtonFitter, KaplanMeierFitter
from lifelines.exceptions import StatError

from recommender.dataset import Dataset
from recommender.retention.panel import (
    Panel,
    build_panel,
    pulse_latest,
    skill_signals,
)
from recommender.suppression import MIN_GROUP

CAUSES = {"voluntary": 1, "involuntary": 2}
GRID_WEEKS = (4, 13, 26, 52, 78, 104, 156)


def person_period(ds: Dataset, *, window_weeks: int = 12, perf_weeks: int = 4,
                  perf_lag: int = 1, panel: Panel | None = None) -> pd.DataFrame:
    """One row per agent-week at risk: (start, stop] in weeks since hire plus covariates.

    `perf` is the mean composite of the `perf_weeks` weeks ending `perf_lag` weeks before
    the row (lag 1 = known when the week starts). Exposure counts development in the
    `window_weeks` weeks before the row's week. Pulse values are the latest answer known
    when the week starts; missing ones are filled with the mean and flagged.
    """
    panel = panel or build_panel(ds)
    n_ag, n_wk = len(panel.ids), len(panel.weeks)
    expo = panel.exposure(window_weeks)
    perf = panel.recent_mean(panel.composite, perf_weeks, lag=perf_lag)
    if perf_lag > 0:  # a new hire's first week has no history: use that week itself
        perf = np.where(np.isnan(perf), panel.composite, perf)
    perf_last = panel.recent_mean(panel.composite, 1, lag=1)
    perf_long = panel.recent_mean(panel.composite, 12, lag=1)
    pulse = pulse_latest(ds, panel)
    skills = skill_signals(ds, panel)
    wk_start = np.asarray(panel.weeks.values, dtype="datetime64[D]")
    hire = panel.agents["hire_date"].to_numpy(dtype="datetime64[D]")
    end = panel.end_date.to_numpy(dtype="datetime64[D]")
    # A separation date is a day the agent was still at risk: the event closes that day,
    # so it falls in the week that contains it. Ending the spell at the date itself would
    # move every Monday leaver into the previous week's row, with last week's exposure
    # and covariates.
    end = end + np.where(panel.reason.to_numpy() != "", 1, 0).astype("timedelta64[D]")
    # nothing after the as-of day is known: a leaver later in that week is not in the data
    end = np.minimum(end, np.datetime64(panel.as_of.normalize().date(), "D") + 1)
    row_lo = np.maximum(wk_start[None, :], hire[:, None])
    row_hi = np.minimum(wk_start[None, :] + np.timedelta64(7, "D"), end[:, None])
    at_risk = row_hi > row_lo
    a_idx, w_idx = np.nonzero(at_risk)
    start = (row_lo[a_idx, w_idx] - hire[a_idx]).astype(float) / 7.0
    stop = (row_hi[a_idx, w_idx] - hire[a_idx]).astype(float) / 7.0
    last = row_hi[a_idx, w_idx] == end[a_idx]
    reason = panel.reason.to_numpy()[a_idx]
    ag = panel.agents
    df = pd.DataFrame({
        "employee_id": panel.ids.to_numpy()[a_idx],
        "week": panel.weeks.values[w_idx],
        "start": start, "stop": stop,
        "exposed": expo[a_idx, w_idx],
        "perf": perf[a_idx, w_idx],
        "perf_last": perf_last[a_idx, w_idx],
        "perf_long": perf_long[a_idx, w_idx],
        "engagement": pulse["engagement"][a_idx, w_idx],
        "wellbeing": pulse["wellbeing"][a_idx, w_idx],
        "enps": pulse["enps"][a_idx, w_idx],
        **{k: v[a_idx, w_idx] for k, v in skills.items()},
        "employment_type": ag["employment_type"].to_numpy()[a_idx],
        "work_arrangement": ag["work_arrangement"].to_numpy()[a_idx],
        "team_code": ag["team_code"].to_numpy()[a_idx],
        "site": ag["site"].to_numpy()[a_idx],
        "hire_date": ag["hire_date"].to_numpy()[a_idx],
        "event_voluntary": (last & (reason == "voluntary")).astype(int),
        "event_involuntary": (last & (reason == "involuntary")).astype(int),
    })
    df["event_any"] = df["event_voluntary"] | df["event_involuntary"]
    for c in ("perf", "perf_last", "perf_long"):
        df[c] = df.groupby("employee_id")[c].ffill()
    df["perf"] = df["perf"].fillna(0.0)
    df["perf_last"] = df["perf_last"].fillna(df["perf"])
    df["perf_long"] = df["perf_long"].fillna(df["perf"])
    # last week's composite against the agent's own 12-week level: a dip, which often
    # reflects stress (a confounder: leads assign training right after bad weeks)
    df["perf_dip"] = df["perf_last"] - df["perf_long"]
    df["pulse_missing"] = df["wellbeing"].isna().astype(float)
    for c in skills:
        df[c] = df.groupby("employee_id")[c].ffill()
        df[f"{c}_missing"] = df[c].isna().astype(float)
    for c in ("engagement", "wellbeing", "enps", *skills):
        df[c] = df[c].fillna(df[c].mean() if df[c].notna().any() else 0.0)
    assert n_ag and n_wk
    return df.reset_index(drop=True)


def agent_spells(pp: pd.DataFrame) -> pd.DataFrame:
    """One row per agent: entry, exit (weeks since hire), event flags and fixed groups."""
    g = pp.groupby("employee_id", sort=False)
    spells = g.agg(entry=("start", "min"), exit=("stop", "max"),
                   voluntary=("event_voluntary", "max"),
                   involuntary=("event_involuntary", "max"), any=("event_any", "max"),
                   ever_exposed=("exposed", "max"), work_arrangement=("work_arrangement", "first"),
                   employment_type=("employment_type", "first"), team_code=("team_code", "first"),
                   site=("site", "first"), hire_date=("hire_date", "first"))
    spells["hire_cohort"] = pd.to_datetime(spells["hire_date"]).dt.year.astype(str)
    spells["cause"] = np.where(spells["voluntary"] == 1, 1,
                               np.where(spells["involuntary"] == 1, 2, 0))
    return spells


def _curve(fitter, grid) -> list[dict]:
    sf = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_survival_function_
    # lifelines' Breslow–Fleming–Harrington fitter labels its bounds the wrong way round
    # (its "lower" column holds the upper bound), so take them by value, not by name
    lower, upper = ci.min(axis=1), ci.max(axis=1)
    out = []
    for t in grid:
        if t < sf.index.min() or t > sf.index.max():
            continue
        i = sf.index.searchsorted(t, side="right") - 1
        out.append({"t_weeks": float(t), "survival": float(sf.iloc[i]),
                    "ci_low": float(lower.iloc[i]), "ci_high": float(upper.iloc[i])})
    return out


def km_by_group(spells: pd.DataFrame, group_col: str, *, event: str = "voluntary",
                grid=GRID_WEEKS) -> list[dict]:
    """Kaplan–Meier (with delayed entry) per group; groups under 5 agents suppressed."""
    out = []
    for name, g in spells.groupby(group_col):
        if len(g) < MIN_GROUP:
            out.append({"group": str(name), "suppressed": True})
            continue
        estimator = "kaplan_meier"
        try:
            km = KaplanMeierFitter().fit(g["exit"], g[event], entry=g["entry"], label=str(name))
        except StatError:
            # the risk set empties early (few late entrants): KM would drop to 0 for good
            km = BreslowFlemingHarringtonFitter().fit(g["exit"], g[event], entry=g["entry"],
                                                      label=str(name))
            estimator = "breslow_fleming_harrington"
        out.append({"group": str(name), "suppressed": False, "n_agents": int(len(g)),
                    "n_events": int(g[event].sum()), "estimator": estimator,
                    "curve": _curve(km, grid)})
    return out


def simon_makuch(pp: pd.DataFrame, *, event: str = "event_voluntary",
                 grid=GRID_WEEKS) -> list[dict]:
    """Survival by current exposure, with agents switching group when exposure changes.

    Each week of tenure, the hazard of each group is events / agents at risk *in that group
    that week*; the curve is the product of (1 - hazard). Immortal time before training is
    counted in the unexposed group where it belongs.
    """
    t = np.floor(pp["start"]).astype(int)
    out = []
    for value, label in ((1.0, "exposed"), (0.0, "not exposed")):
        sub = pp[pp["exposed"] == value]
        n_agents = sub["employee_id"].nunique()
        if n_agents < MIN_GROUP:
            out.append({"group": label, "suppressed": True})
            continue
        tt = t[sub.index]
        frac = (sub["stop"] - sub["start"]).to_numpy()
        risk = pd.Series(frac).groupby(tt.to_numpy()).sum()
        events = sub[event].groupby(tt.to_numpy()).sum()
        hazard = (events / risk).reindex(range(int(tt.max()) + 1)).fillna(0.0)
        surv = np.cumprod(1 - hazard.clip(upper=1).to_numpy())
        curve = [{"t_weeks": float(g), "survival": float(surv[g - 1])}
                 for g in grid if 0 < g <= len(surv)]
        out.append({"group": label, "suppressed": False, "n_agents": int(n_agents),
                    "n_events": int(sub[event].sum()), "curve": curve})
    return out


def ever_exposed_km(spells: pd.DataFrame, *, event: str = "voluntary", grid=GRID_WEEKS):
    """The biased comparison ("ever trained" vs "never"), kept only to show the bias."""
    return km_by_group(spells.assign(
        ever=np.where(spells["ever_exposed"] > 0, "ever exposed", "never exposed")),
        "ever", event=event, grid=grid)


def cumulative_incidence(spells: pd.DataFrame, grid=GRID_WEEKS) -> dict[str, list[dict]]:
    """Aalen–Johansen cumulative incidence of voluntary and involuntary leaving."""
    out: dict[str, list[dict]] = {}
    if len(spells) < MIN_GROUP:
        return out
    rng = np.random.default_rng(0)
    # tiny jitter breaks ties deterministically (lifelines would jitter at random)
    exit_ = spells["exit"].to_numpy() + rng.uniform(0, 1e-4, len(spells))
    for cause, code in CAUSES.items():
        if (spells["cause"] == code).sum() == 0:
            out[cause] = []
            continue
        aj = AalenJohansenFitter(calculate_variance=False)
        try:
            aj.fit(exit_, spells["cause"], event_of_interest=code, entry=spells["entry"])
        except (StatError, ValueError):
            out[cause] = []
            continue
        cif = aj.cumulative_density_.iloc[:, 0]
        at = [(t, cif.index.searchsorted(t, "right") - 1) for t in grid
              if cif.index.min() <= t <= cif.index.max()]
        out[cause] = [{"t_weeks": float(t), "cumulative_incidence": float(cif.iloc[i])}
                      for t, i in at]
    return out
