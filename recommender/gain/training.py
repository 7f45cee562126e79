"""Training rows: every past exposure, plus comparable agent-weeks with none (controls).

Outcome (contract): mean composite over the 8 weeks after the exposure week minus the
mean over the 4 weeks before it. Controls are agent-weeks with no exposure that week; the
baseline model learns from them what happens anyway (regression to the mean after a bad
week, trends, the average effect of development that happens around any week).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain.features import ItemTable, SkillState, item_features, state_features
from recommender.gain.panel import Panel, window_mean
from recommender.gain.weeks import as_dates, week_index

BEFORE_WEEKS = 4
AFTER_WEEKS = 8
MIN_BEFORE_OBS = 2
MIN_AFTER_OBS = 4


def exposures(ds: Dataset, people: np.ndarray | None = None) -> pd.DataFrame:
    """Completions (xAPI included) and coaching sessions up to as-of: who, what, when;
    with `people`, only theirs (a scoring chunk holds the whole centre's history)."""
    comp = ds.completions.rename(columns={"completed_at": "date"})
    comp = comp[["employee_id", "item_code", "date", "assigned_by"]]
    coach = ds.coaching_sessions.rename(columns={"held_at": "date"})
    coach = coach[["employee_id", "item_code", "date"]].assign(assigned_by="coaching")
    if people is not None:
        comp, coach = (f[f["employee_id"].isin(people)] for f in (comp, coach))
    parts = [f for f in (comp, coach) if len(f)]
    out = pd.concat(parts, ignore_index=True) if parts else comp
    out["date"] = as_dates(out["date"])
    out = out[out["date"] <= ds.as_of].dropna(subset=["employee_id", "item_code"])
    return out.sort_values(["date", "employee_id", "item_code"], kind="stable") \
        .reset_index(drop=True)


@dataclass
class TrainingRows:
    state: pd.DataFrame        # state features, treated rows first then controls
    skill: SkillState
    items: pd.DataFrame        # item features of treated rows
    treated: np.ndarray        # [N] bool
    n_treated: int
    item: np.ndarray           # [n_treated] item index
    item_code: np.ndarray      # [n_treated] item code
    campaign: np.ndarray       # [n_treated] bool: randomised assignment
    week: np.ndarray           # [N] ISO week index of the exposure / control week
    agent: np.ndarray          # [N] panel agent index
    y: np.ndarray              # [N] outcome
    propensity: np.ndarray | None = None  # [n_treated] of the impression that led to the
                                          # exposure (NaN: none); see gain/feedback.py


def outcome(panel: Panel, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    after, n_after = window_mean(panel.comp, a, t, 1, AFTER_WEEKS + 1)
    before, n_before = window_mean(panel.comp, a, t, -BEFORE_WEEKS, 0)
    ok = (n_after >= MIN_AFTER_OBS) & (n_before >= MIN_BEFORE_OBS)
    return np.where(ok, after - before, np.nan)


def build_rows(ds: Dataset, panel: Panel, items: ItemTable, expo: pd.DataFrame,
               *, last_week: int, max_controls: int, seed: int) -> TrainingRows:
    """Rows whose 8 weeks after end on or before `last_week` (the as-of week)."""
    a = panel.index_of(expo["employee_id"])
    i = items.index_of(expo["item_code"])
    w = week_index(expo["date"]) if len(expo) else np.zeros(0, int)
    keep = ~np.isnan(a.astype(float)) & (i >= 0) & (w + AFTER_WEEKS <= last_week)
    keep &= w - panel.w0 >= BEFORE_WEEKS
    ex = expo[keep].assign(a=a[keep].astype(int), i=i[keep], w=w[keep])
    ex["done_before"] = ex.groupby(["employee_id", "item_code"])["w"] \
        .rank(method="min").to_numpy() - 1
    ex["y"] = outcome(panel, ex["a"].to_numpy(), ex["w"].to_numpy() - panel.w0)
    ex = ex.dropna(subset=["y"])

    n_a, n_t = panel.expo.shape
    ga, gt = np.meshgrid(np.arange(n_a), np.arange(BEFORE_WEEKS, n_t), indexing="ij")
    ga, gt = ga.ravel(), gt.ravel()
    ctrl = (panel.expo[ga, gt] == 0) & (panel.w0 + gt + AFTER_WEEKS <= last_week)
    ga, gt = ga[ctrl], gt[ctrl]
    yc = outcome(panel, ga, gt)
    ok = ~np.isnan(yc)
    ga, gt, yc = ga[ok], gt[ok], yc[ok]
    if len(ga) > max_controls:
        pick = np.sort(np.random.default_rng(seed).choice(len(ga), max_controls,
                                                          replace=False))
        ga, gt, yc = ga[pick], gt[pick], yc[pick]

    a_all = np.concatenate([ex["a"].to_numpy(), ga])
    t_all = np.concatenate([ex["w"].to_numpy() - panel.w0, gt])
    state, skill = state_features(panel, a_all, t_all)
    n_tr = len(ex)
    item_x = item_features(state, skill, np.arange(n_tr), ex["i"].to_numpy(), items,
                           ex["done_before"].to_numpy())
    return TrainingRows(
        state=state, skill=skill, items=item_x,
        treated=np.arange(len(a_all)) < n_tr, n_treated=n_tr, item=ex["i"].to_numpy(),
        item_code=ex["item_code"].astype(str).to_numpy(),
        campaign=(ex["assigned_by"] == "campaign").to_numpy(),
        week=t_all + panel.w0, agent=a_all, y=np.concatenate([ex["y"].to_numpy(), yc]),
        propensity=ex["propensity"].to_numpy(float) if "propensity" in ex
        else np.full(n_tr, np.nan),
    )
