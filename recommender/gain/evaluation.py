"""Metrics as plain functions over DataFrames with explicit column names."""

from __future__ import annotations

import numpy as np
import pandas as pd

EMPLOYEE, ITEM, RANK, TRUE_GAIN = "employee_id", "item_code", "rank", "true_gain"


def share_of_oracle(ranked: pd.DataFrame, truth: pd.DataFrame, *, k: int = 5,
                    eligible: pd.DataFrame | None = None) -> pd.Series:
    """Per agent: true gain of the list's top k / true gain of the best k (oracle).

    The oracle picks from `eligible` (employee_id, item_code) pairs when given, else from
    every item in truth. Oracle gains are clipped at 0 (it would not pick a harmful item
    to fill a slot); the list's are not, so harmful picks cost. Agents whose best item
    has no positive gain are skipped."""
    best = _oracle(truth, k, eligible)
    got = ranked[ranked[RANK] <= k][[EMPLOYEE, ITEM]].merge(truth, on=[EMPLOYEE, ITEM],
                                                            how="left")
    got = got[TRUE_GAIN].fillna(0.0).groupby(got[EMPLOYEE]).sum()
    denom = best.groupby(EMPLOYEE)[TRUE_GAIN].apply(lambda g: g.clip(lower=0).sum())
    denom = denom[denom > 0]
    return (got.reindex(denom.index).fillna(0.0) / denom).rename("share")


def ndcg(ranked: pd.DataFrame, truth: pd.DataFrame, *, k: int = 5,
         eligible: pd.DataFrame | None = None) -> pd.Series:
    """Per agent nDCG@k with relevance = true gain clipped at 0."""
    best = _oracle(truth, k, eligible)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    best = best.assign(rel=best[TRUE_GAIN].clip(lower=0))
    best["pos"] = best.groupby(EMPLOYEE).cumcount()
    idcg = (best["rel"] * disc[best["pos"]]).groupby(best[EMPLOYEE]).sum()
    idcg = idcg[idcg > 0]
    top = ranked[ranked[RANK] <= k][[EMPLOYEE, ITEM, RANK]].merge(
        truth, on=[EMPLOYEE, ITEM], how="left")
    top["rel"] = top[TRUE_GAIN].fillna(0).clip(lower=0) * disc[top[RANK].astype(int) - 1]
    dcg = top.groupby(EMPLOYEE)["rel"].sum()
    return (dcg.reindex(idcg.index).fillna(0.0) / idcg).rename("ndcg")


def _oracle(truth: pd.DataFrame, k: int, eligible: pd.DataFrame | None) -> pd.DataFrame:
    pool = truth if eligible is None else truth.merge(eligible[[EMPLOYEE, ITEM]],
                                                      on=[EMPLOYEE, ITEM])
    pool = pool.sort_values([EMPLOYEE, TRUE_GAIN, ITEM], ascending=[True, False, True],
                            kind="stable")
    return pool.groupby(EMPLOYEE).head(k)


def budget_oracle(truth: pd.DataFrame, durations: pd.Series, budget: float, *, k: int,
                  eligible: pd.DataFrame | None = None) -> pd.Series:
    """Per agent: the most true gain (clipped at 0) any k items fitting `budget` minutes
    can reach — the fair denominator for a budget-limited list. Exact 0/1 knapsack with
    a count limit, by dynamic programming over whole minutes, vectorised over agents."""
    pool = truth if eligible is None else truth.merge(eligible[[EMPLOYEE, ITEM]],
                                                      on=[EMPLOYEE, ITEM])
    wide = pool.pivot_table(index=EMPLOYEE, columns=ITEM, values=TRUE_GAIN, aggfunc="first")
    gains = wide.clip(lower=0).fillna(-np.inf).to_numpy()
    dur = durations.reindex(wide.columns).fillna(np.inf).to_numpy(float)
    cap = int(min(budget, np.nansum(np.where(np.isfinite(dur), dur, 0))))
    dp = np.full((k + 1, cap + 1, len(wide)), -np.inf)
    dp[0] = 0.0
    for j in np.flatnonzero(np.ceil(dur) <= cap):
        d = int(np.ceil(dur[j]))
        for c in range(k, 0, -1):
            dp[c, d:] = np.maximum(dp[c, d:], dp[c - 1, : cap + 1 - d] + gains[:, j])
    return pd.Series(dp.max(axis=(0, 1)), index=wide.index, name="budget_oracle")


def evaluate(ranked: pd.DataFrame, truth: pd.DataFrame, *, k: int = 5,
             eligible: pd.DataFrame | None = None, durations: pd.Series | None = None,
             budget_minutes: float | None = None) -> dict[str, float]:
    share = share_of_oracle(ranked, truth, k=k, eligible=eligible)
    nd = ndcg(ranked, truth, k=k, eligible=eligible)
    top = ranked.loc[ranked[RANK] <= k, [EMPLOYEE, ITEM]].merge(truth, on=[EMPLOYEE, ITEM],
                                                                 how="left")
    return {
        f"share_of_oracle_top{k}": float(share.mean()) if len(share) else float("nan"),
        f"ndcg_at_{k}": float(nd.mean()) if len(nd) else float("nan"),
        f"mean_true_gain_top{k}": float(top[TRUE_GAIN].mean()) if len(top) else float("nan"),
        "n_agents": float(len(share)),
    } | _budget_share(ranked, truth, k, eligible, durations, budget_minutes)


def _budget_share(ranked, truth, k, eligible, durations, budget) -> dict[str, float]:
    if durations is None or budget is None or not np.isfinite(budget):
        return {}
    best = budget_oracle(truth, durations, budget, k=k, eligible=eligible)
    best = best[best > 0]
    got = ranked.loc[ranked[RANK] <= k, [EMPLOYEE, ITEM]].merge(truth, on=[EMPLOYEE, ITEM],
                                                                 how="left")
    got = got[TRUE_GAIN].fillna(0.0).groupby(got[EMPLOYEE]).sum()
    share = got.reindex(best.index).fillna(0.0) / best
    return {f"share_of_budget_oracle_top{k}": float(share.mean()) if len(share)
            else float("nan")}


def interval_coverage(ranked: pd.DataFrame, truth: pd.DataFrame) -> float:
    """Share of shown rows whose true gain lies in [gain_low, gain_high]."""
    if not {"gain_low", "gain_high"} <= set(ranked.columns):
        return float("nan")
    m = ranked[[EMPLOYEE, ITEM, "gain_low", "gain_high"]].merge(
        truth, on=[EMPLOYEE, ITEM], how="inner").dropna(
        subset=["gain_low", "gain_high"])
    if m.empty:
        return float("nan")
    inside = (m[TRUE_GAIN] >= m["gain_low"]) & (m[TRUE_GAIN] <= m["gain_high"])
    return float(inside.mean())


def gain_bias(ranked: pd.DataFrame, truth: pd.DataFrame) -> float:
    """Mean (expected_gain − true gain) over shown rows: is the gain's level right?"""
    if "expected_gain" not in ranked:
        return float("nan")
    m = ranked[[EMPLOYEE, ITEM, "expected_gain"]].merge(truth, on=[EMPLOYEE, ITEM]) \
        .dropna(subset=["expected_gain"])
    return float((m["expected_gain"] - m[TRUE_GAIN]).mean()) if len(m) else float("nan")


def score_correlation(score: np.ndarray, effect: np.ndarray) -> float:
    ok = ~np.isnan(score) & ~np.isnan(effect)
    if ok.sum() < 3 or np.std(score[ok]) == 0 or np.std(effect[ok]) == 0:
        return 0.0
    return float(np.corrcoef(score[ok], effect[ok])[0, 1])


def top_minus_bottom(score: np.ndarray, effect: np.ndarray) -> float:
    """Mean effect where the score is in its top third minus where in its bottom third;
    on randomised rows this is an unbiased uplift estimate of ranking by the score."""
    ok = ~np.isnan(score) & ~np.isnan(effect)
    if ok.sum() < 9:
        return 0.0
    s, e = score[ok], effect[ok]
    lo, hi = np.quantile(s, [1 / 3, 2 / 3])
    if lo == hi:
        return 0.0
    return float(e[s >= hi].mean() - e[s <= lo].mean())
