"""Weekly agent panel shared by every retention analysis.

One idea: turn a contract `Dataset` into dense agent × week matrices (composite, metrics,
development events) on a common week grid that starts at the data start (the first
performance week) and ends at the as-of week. Everything downstream (person-period table,
snapshots, effectiveness) reads these matrices, so the composite and the exposure
definition exist exactly once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.dataset import Dataset

LOWER_IS_BETTER_DEFAULT = {"aht_seconds"}


def week_start(dates: pd.Series) -> pd.Series:
    """Monday of the ISO week of each date."""
    d = pd.to_datetime(dates).dt.tz_localize(None) if hasattr(dates, "dt") else dates
    d = pd.to_datetime(d).dt.normalize()
    return d - pd.to_timedelta(d.dt.weekday, unit="D")


@dataclass
class Panel:
    """Dense weekly matrices; rows follow `agents`, columns follow `weeks`."""

    as_of: pd.Timestamp
    data_start: pd.Timestamp
    weeks: pd.DatetimeIndex
    agents: pd.DataFrame  # indexed by employee_id; only employees with performance rows
    composite: np.ndarray  # (n_agents, n_weeks), NaN where no performance that week
    metric_z: dict[str, np.ndarray]  # sign-corrected z-scores per metric
    dev_counts: np.ndarray  # completions + coaching sessions per week (weeks may be < 0)
    dev_offset: int  # column of data_start week inside dev_counts
    end_date: pd.Series  # per agent: separation date or censoring date
    reason: pd.Series  # per agent: "voluntary", "involuntary" or "" (censored)

    @property
    def ids(self) -> pd.Index:
        return self.agents.index

    def exposure(self, window_weeks: int) -> np.ndarray:
        """1 where any completion/coaching happened in the `window_weeks` weeks before."""
        csum = np.concatenate(
            [np.zeros((len(self.ids), 1)), np.cumsum(self.dev_counts, axis=1)], axis=1)
        cols = np.arange(len(self.weeks)) + self.dev_offset
        lo = np.clip(cols - window_weeks, 0, None)
        return (csum[:, cols] - csum[:, lo] > 0).astype(float)

    def recent_mean(self, matrix: np.ndarray, weeks: int, lag: int = 1) -> np.ndarray:
        """Mean of the `weeks` values ending `lag` weeks before each column (NaN-aware)."""
        out = np.full(matrix.shape, np.nan)
        vals = np.nan_to_num(matrix)
        ok = (~np.isnan(matrix)).astype(float)
        cv = np.concatenate([np.zeros((len(matrix), 1)), np.cumsum(vals, axis=1)], axis=1)
        co = np.concatenate([np.zeros((len(matrix), 1)), np.cumsum(ok, axis=1)], axis=1)
        for k in range(matrix.shape[1]):
            hi = k + 1 - lag
            lo = max(hi - weeks, 0)
            if hi <= 0:
                continue
            n = co[:, hi] - co[:, lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, k] = np.where(n > 0, (cv[:, hi] - cv[:, lo]) / n, np.nan)
        return out


def metric_signs_weights(ds: Dataset, codes: list[str]) -> tuple[dict, dict]:
    meta = ds.metrics.set_index("metric_code") if len(ds.metrics) else pd.DataFrame()
    signs, weights = {}, {}
    for code in codes:
        if code in meta.index:
            hib = meta.at[code, "higher_is_better"]
            hib = str(hib).lower() in ("true", "1") if not isinstance(hib, bool | np.bool_) else hib
            signs[code] = 1.0 if hib else -1.0
            w = pd.to_numeric(meta.at[code, "weight"], errors="coerce")
            weights[code] = float(w) if pd.notna(w) else 1.0
        else:
            signs[code] = -1.0 if code in LOWER_IS_BETTER_DEFAULT else 1.0
            weights[code] = 1.0
    total = sum(weights.values()) or 1.0
    return signs, {c: w / total for c, w in weights.items()}


def build_panel(ds: Dataset) -> Panel:
    perf = ds.performance.copy()
    if perf.empty:
        raise ValueError("performance.csv is empty: no agents are at risk")
    perf["period_start"] = week_start(perf["period_start"])
    perf = perf[perf["period_start"] <= ds.as_of]
    perf["value"] = pd.to_numeric(perf["value"], errors="coerce")
    data_start = perf["period_start"].min()
    as_of_week = week_start(pd.Series([ds.as_of])).iloc[0]
    weeks = pd.date_range(data_start, as_of_week, freq="7D")
    wide = perf.pivot_table(index=["employee_id", "period_start"], columns="metric_code",
                            values="value", aggfunc="mean")
    codes = list(wide.columns)
    signs, weights = metric_signs_weights(ds, codes)
    perf_ids = wide.index.get_level_values(0).unique()
    ids = pd.Index(sorted(perf_ids.union(_early_leavers(ds, perf_ids, data_start))),
                   name="employee_id")
    full_index = pd.MultiIndex.from_product([ids, weeks])
    wide = wide.reindex(full_index)
    shape = (len(ids), len(weeks))
    metric_z, num, den = {}, np.zeros(shape), np.zeros(shape)
    for code in codes:
        v = wide[code]
        sd = v.std()
        z = ((v - v.mean()) / (sd if sd and sd > 0 else 1.0) * signs[code]).to_numpy()
        z = z.reshape(shape)
        metric_z[code] = z
        num += np.nan_to_num(z) * weights[code]
        den += (~np.isnan(z)) * weights[code]
    with np.errstate(invalid="ignore", divide="ignore"):
        composite = np.where(den > 0, num / den, np.nan)
    agents = _agent_frame(ds, ids, perf)
    dev_counts, offset = _dev_counts(ds, ids, weeks)
    end_date, reason = _outcomes(ds, agents, perf, as_of_week)
    return Panel(ds.as_of, data_start, weeks, agents, composite, metric_z, dev_counts,
                 offset, end_date, reason)


def _early_leavers(ds: Dataset, perf_ids: pd.Index, data_start: pd.Timestamp) -> pd.Index:
    """Frontline agents who separated inside the data window before any performance row
    (e.g. in the first data week). They were at risk: dropping them would remove only
    leavers, understating the hazard of whoever they resembled (selection on the outcome).
    """
    sep = ds.separations
    if sep.empty or ds.agents.empty:
        return pd.Index([])
    dates = pd.to_datetime(sep["separation_date"], errors="coerce").dt.normalize()
    inside = sep.loc[(dates >= data_start) & (dates <= ds.as_of), "employee_id"].astype(str)
    roster = ds.agents.drop_duplicates("employee_id").set_index("employee_id")
    if len(ds.roles) and "family" in ds.roles:
        frontline = set(ds.roles.loc[ds.roles["family"] == "frontline", "role_code"])
    else:  # no role families: the roles of people who have performance rows
        frontline = set(roster["role_code"].reindex(perf_ids).dropna())
    role = roster["role_code"].reindex(inside)
    hired = pd.to_datetime(roster["hire_date"], errors="coerce").reindex(inside).notna()
    keep = role.isin(frontline).to_numpy() & hired.to_numpy()  # tenure needs a hire date
    return pd.Index(inside[keep]).difference(perf_ids)


def _agent_frame(ds: Dataset, ids: pd.Index, perf: pd.DataFrame) -> pd.DataFrame:
    roster = ds.agents.drop_duplicates("employee_id").set_index("employee_id")
    agents = roster.reindex(ids)
    first_perf = perf.groupby("employee_id")["period_start"].min().reindex(ids)
    hire = pd.to_datetime(agents["hire_date"], errors="coerce")
    # no hire date: the first performance week is the best available stand-in
    agents["hire_date"] = hire.fillna(first_perf).dt.normalize()
    agents["last_perf"] = perf.groupby("employee_id")["period_start"].max().reindex(ids)
    for col, default in (("work_arrangement", "unknown"), ("employment_type", "unknown"),
                         ("team_code", "unknown")):
        agents[col] = agents[col].fillna(default).astype(str)
    if len(ds.teams):
        site = ds.teams.drop_duplicates("team_code").set_index("team_code")["site"]
        agents["site"] = agents["team_code"].map(site).fillna("unknown").astype(str)
    else:
        agents["site"] = "unknown"
    agents["hourly_cost"] = pd.to_numeric(agents["hourly_cost"], errors="coerce")
    return agents


def development_events(ds: Dataset) -> pd.DataFrame:
    """employee_id, date, item_code, source ('completion'/'coaching'), coach, assigned_by."""
    comp = ds.completions
    coach = ds.coaching_sessions
    a = pd.DataFrame({
        "employee_id": comp["employee_id"].astype(str),
        "date": pd.to_datetime(comp["completed_at"], utc=False, errors="coerce"),
        "item_code": comp["item_code"], "source": "completion", "coach": None,
        "assigned_by": comp["assigned_by"]})
    b = pd.DataFrame({
        "employee_id": coach["employee_id"].astype(str),
        "date": pd.to_datetime(coach["held_at"], errors="coerce"),
        "item_code": coach["item_code"], "source": "coaching",
        "coach": coach["coach_employee_id"], "assigned_by": None})
    ev = pd.concat([x for x in (a, b) if len(x)], ignore_index=True) if len(a) + len(b) else a
    if len(ev):
        ev["date"] = pd.to_datetime(ev["date"])
        if getattr(ev["date"].dt, "tz", None) is not None:
            ev["date"] = ev["date"].dt.tz_localize(None)
        ev["date"] = ev["date"].dt.normalize()
        ev = ev.dropna(subset=["date"])
    return ev


def _dev_counts(ds: Dataset, ids: pd.Index, weeks: pd.DatetimeIndex):
    ev = development_events(ds)
    ev = ev[ev["employee_id"].isin(ids)] if len(ev) else ev
    if len(ev):
        ev = ev[ev["date"] <= weeks[-1] + pd.Timedelta(days=6)]
    if not len(ev):
        return np.zeros((len(ids), len(weeks))), 0
    wk = ((week_start(ev["date"]) - weeks[0]).dt.days // 7).to_numpy()
    offset = int(max(0, -wk.min()))
    counts = np.zeros((len(ids), len(weeks) + offset))
    rows = ids.get_indexer(ev["employee_id"])
    np.add.at(counts, (rows, wk + offset), 1.0)
    return counts, offset


def _outcomes(ds: Dataset, agents: pd.DataFrame, perf: pd.DataFrame, as_of_week):
    sep = ds.separations.copy()
    sep["separation_date"] = pd.to_datetime(sep["separation_date"]).dt.normalize()
    sep = sep.sort_values("separation_date").drop_duplicates("employee_id", keep="last")
    sep = sep.set_index("employee_id").reindex(agents.index)
    horizon = as_of_week + pd.Timedelta(days=7)
    # no separation recorded: followed until the week after their last performance row
    censor = (agents["last_perf"] + pd.Timedelta(days=7)).clip(upper=horizon)
    observed = sep["separation_date"].notna() & (sep["separation_date"] < horizon)
    end = censor.where(~observed, sep["separation_date"])
    reason = sep["reason"].where(observed, "").fillna("").astype(str)
    return end, reason


def pulse_latest(ds: Dataset, panel: Panel, lag_days: int = 0) -> dict[str, np.ndarray]:
    """Latest engagement/wellbeing/enps answered before each week start (NaN if none)."""
    out = {}
    pulse = ds.pulse_surveys.copy()
    pulse = pulse[pulse["employee_id"].isin(panel.ids)]
    shape = (len(panel.ids), len(panel.weeks))
    if pulse.empty:
        return {c: np.full(shape, np.nan) for c in ("engagement", "wellbeing", "enps")}
    pulse["answered_at"] = pd.to_datetime(pulse["answered_at"]).dt.normalize()
    # answered during week j becomes known from week j+1 on
    wk = ((week_start(pulse["answered_at"]) - panel.data_start).dt.days // 7) + 1
    pulse["col"] = wk.clip(lower=0)
    pulse = pulse[pulse["col"] < len(panel.weeks)].sort_values("answered_at")
    rows = panel.ids.get_indexer(pulse["employee_id"])
    for c in ("engagement", "wellbeing", "enps"):
        m = np.full(shape, np.nan)
        m[rows, pulse["col"].to_numpy()] = pd.to_numeric(pulse[c], errors="coerce")
        out[c] = pd.DataFrame(m).ffill(axis=1).to_numpy()
    return out


def weekly_signal(panel: Panel, frame: pd.DataFrame, date_col: str, value_col: str) -> np.ndarray:
    """Weekly mean of a per-agent signal, placed in the week *after* it was recorded
    (known when that week starts); NaN where nothing was recorded."""
    out = np.full((len(panel.ids), len(panel.weeks)), np.nan)
    f = frame[frame["employee_id"].isin(panel.ids)]
    if f.empty:
        return out
    dates = pd.to_datetime(f[date_col])
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    col = ((week_start(dates) - panel.data_start).dt.days // 7 + 1).clip(lower=0)
    g = pd.DataFrame({"row": panel.ids.get_indexer(f["employee_id"]), "col": col.to_numpy(),
                      "v": pd.to_numeric(f[value_col], errors="coerce").to_numpy()})
    g = g[g["col"] < len(panel.weeks)].groupby(["row", "col"])["v"].mean()
    out[g.index.get_level_values(0), g.index.get_level_values(1)] = g.to_numpy()
    return out


def skill_signals(ds: Dataset, panel: Panel, qa_weeks: int = 8) -> dict[str, np.ndarray]:
    """Skill measures as time-varying covariates: latest assessed level (not self-rated,
    carried forward) and the mean QA score of recent weeks."""
    sa = ds.skill_assessments
    sa = sa[sa["source"].astype(str) != "self"] if len(sa) else sa
    out = {}
    per_skill = []
    for code, g in (sa.groupby("skill_code") if len(sa) else []):
        m = pd.DataFrame(weekly_signal(panel, g, "assessed_at", "level")).ffill(axis=1)
        out[f"skill__{code}"] = m.to_numpy()
        per_skill.append(out[f"skill__{code}"])
    if per_skill:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out["skill_level"] = np.nanmean(np.stack(per_skill), axis=0)
    else:
        out["skill_level"] = np.full((len(panel.ids), len(panel.weeks)), np.nan)
    qa = weekly_signal(panel, ds.qa_evaluations, "evaluated_at", "score")
    out["qa_recent"] = panel.recent_mean(qa, qa_weeks, lag=0)
    return out
