"""Randomised pilots: assign random halves, state power up front, analyse the change.

Outcome per agent = mean composite over the 8 weeks after the start minus the mean over
the 4 weeks before (intention to treat: agents are analysed in the arm they were
assigned to, whether or not they completed the item).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from recommender.dataset import Dataset
from recommender.retention.panel import Panel, build_panel, week_start

PRE_WEEKS, POST_WEEKS = 4, 8


def assign_pilot(eligible_ids: Iterable[str], seed: int) -> tuple[list[str], list[str]]:
    """Random halves (the extra agent of an odd count goes to control)."""
    ids = sorted({str(i) for i in eligible_ids})
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ids))
    half = len(ids) // 2
    treated = sorted(ids[i] for i in order[:half])
    control = sorted(ids[i] for i in order[half:])
    return treated, control


def minimum_detectable_effect(n_treated: int, n_control: int, outcome_sd: float, *,
                              alpha: float = 0.05, power: float = 0.8) -> float | None:
    """Smallest true difference a two-sided test finds with the given power."""
    if n_treated < 2 or n_control < 2 or not np.isfinite(outcome_sd):
        return None
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(z * outcome_sd * np.sqrt(1 / n_treated + 1 / n_control))


def _changes(panel: Panel, ids: list[str], col: int, outcome: np.ndarray) -> pd.Series:
    rows = panel.ids.get_indexer(ids)
    rows = rows[rows >= 0]
    pre = outcome[rows, max(col - PRE_WEEKS, 0):col]
    post = outcome[rows, col:col + POST_WEEKS]
    with np.errstate(invalid="ignore"):
        ok = (~np.isnan(pre)).sum(1) > 0
        ok &= (~np.isnan(post)).sum(1) > 0
        change = np.full(len(rows), np.nan)
        change[ok] = np.nanmean(post[ok], axis=1) - np.nanmean(pre[ok], axis=1)
    return pd.Series(change, index=panel.ids[rows]).dropna()


def analyse_pilot(ds: Dataset, *, item_code: str, treated: Iterable[str],
                  control: Iterable[str], start_date, metric: str | None = None,
                  panel: Panel | None = None) -> dict:
    """Difference in (8 weeks after − 4 before) between arms, 95% CI, p, power."""
    panel = panel or build_panel(ds)
    outcome = panel.composite if metric is None else panel.metric_z[metric]
    start = week_start(pd.Series([pd.Timestamp(start_date)])).iloc[0]
    col = int((start - panel.data_start).days // 7)
    treated, control = list(map(str, treated)), list(map(str, control))
    # SD of the same change measured before the pilot started: fixed before seeing results
    hist_col = col - POST_WEEKS
    hist = _changes(panel, treated + control, hist_col, outcome) if hist_col >= PRE_WEEKS else None
    sd_up_front = float(hist.std(ddof=1)) if hist is not None and len(hist) > 2 else float("nan")
    res: dict = {"item_code": item_code, "start_date": str(start.date()),
                 "outcome": metric or "composite",
                 "n_treated_assigned": len(treated), "n_control_assigned": len(control),
                 "power": {"outcome_sd": sd_up_front if np.isfinite(sd_up_front) else None,
                           "mde_80": minimum_detectable_effect(len(treated), len(control),
                                                               sd_up_front),
                           "note": "minimum detectable difference at 80% power, 5% two-sided, "
                                   "from the SD of the same change before the pilot"}}
    t = _changes(panel, treated, col, outcome)
    c = _changes(panel, control, col, outcome)
    res.update({"n_treated": int(len(t)), "n_control": int(len(c))})
    if len(t) < 2 or len(c) < 2:
        res.update({"difference": None, "ci_low": None, "ci_high": None, "p_value": None})
        return res
    diff = float(t.mean() - c.mean())
    se = float(np.sqrt(t.var(ddof=1) / len(t) + c.var(ddof=1) / len(c)))
    welch = stats.ttest_ind(t, c, equal_var=False)
    dof = float(welch.df) if hasattr(welch, "df") else len(t) + len(c) - 2
    q = stats.t.ppf(0.975, dof)
    res.update({"difference": diff, "ci_low": diff - q * se, "ci_high": diff + q * se,
                "p_value": float(welch.pvalue), "treated_mean_change": float(t.mean()),
                "control_mean_change": float(c.mean())})
    if res["power"]["mde_80"] is None:
        res["power"]["mde_80"] = minimum_detectable_effect(
            len(t), len(c), float(pd.concat([t, c]).std(ddof=1)))
        res["power"]["note"] += " (no pre-pilot history: SD of the observed changes used)"
    return res
