"""What the product's own feedback log teaches the next training run.

The log (`Dataset.recommendation_feedback`) holds every impression with the rank and the
probability it had of being shown, and the agent's accept / dismiss / rate actions. Three
uses, each argued in docs/recommender.md:

1. Exposure weights. An exposure that followed an impression of the same item to the same
   agent was caused, in part, by the model. Where the item was shown by exploration (a low
   propensity), the exposure is close to randomised evidence and gets an inverse-propensity
   weight, clipped at the weight of a randomised campaign row; items the model itself chose
   (propensity near 1) keep weight 1. This is what corrects later training for the model's
   own influence: without it the effect estimates feed on the model's own picks only.
2. Uptake. A recommendation that agents turn down has no realised gain. Each item's
   acceptance rate among impressions, shrunk toward the overall rate (empirical Bayes with
   a fixed prior strength), becomes a factor on the expected gain at ranking time.
3. Dismissals. An agent who dismissed an item is not shown it again for the cooldown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

IMPRESSION_WINDOW_WEEKS = 8   # an exposure this soon after an impression followed from it
UPTAKE_PRIOR_STRENGTH = 20.0  # impressions' worth of weight on the overall rate
UPTAKE_FACTOR_RANGE = (0.5, 1.5)


def impression_propensity(feedback: pd.DataFrame, expo: pd.DataFrame,
                          *, window_weeks: int = IMPRESSION_WINDOW_WEEKS) -> np.ndarray:
    """[len(expo)] propensity of the latest impression of the same item to the same agent in
    the `window_weeks` before the exposure date; NaN where the exposure was not led by one."""
    out = np.full(len(expo), np.nan)
    shown = feedback[(feedback["action"] == "shown") & feedback["propensity"].notna()]
    if shown.empty or expo.empty:
        return out
    shown = shown[["employee_id", "item_code", "at", "propensity"]].assign(
        at=pd.to_datetime(shown["at"])).sort_values("at", kind="stable")
    left = expo[["employee_id", "item_code", "date"]].assign(
        date=pd.to_datetime(expo["date"]), _row=np.arange(len(expo)))
    left = left.sort_values("date", kind="stable")
    merged = pd.merge_asof(left, shown, left_on="date", right_on="at",
                           by=["employee_id", "item_code"], direction="backward",
                           tolerance=pd.Timedelta(weeks=window_weeks))
    out[merged["_row"].to_numpy()] = merged["propensity"].to_numpy(float)
    return out


def exposure_weights(campaign: np.ndarray, propensity: np.ndarray, cap: float) -> np.ndarray:
    """Randomised campaign rows: `cap`. Recommendation-led rows: 1/propensity clipped to
    [1, cap]. Everything else: 1."""
    ipw = np.clip(1.0 / np.where(np.isfinite(propensity), propensity, 1.0), 1.0, cap)
    return np.where(campaign, cap, ipw)


def item_uptake(feedback: pd.DataFrame, *,
                prior_strength: float = UPTAKE_PRIOR_STRENGTH) -> dict[str, float]:
    """Item code -> factor on expected gain: the item's shrunk acceptance rate among its
    impressions over the overall rate, clipped. Items never shown are absent (factor 1)."""
    if feedback.empty:
        return {}
    actions = feedback.drop_duplicates(["employee_id", "item_code", "action"])
    shown = actions[actions["action"] == "shown"].groupby("item_code").size()
    if shown.sum() == 0:
        return {}
    taken = actions[actions["action"] == "accepted"].groupby("item_code").size() \
        .reindex(shown.index).fillna(0.0)
    overall = float(taken.sum() / shown.sum())
    if overall <= 0:
        return {}
    rate = (taken + prior_strength * overall) / (shown + prior_strength)
    factor = np.clip(rate / overall, *UPTAKE_FACTOR_RANGE)
    return {str(code): float(f) for code, f in sorted(factor.items())}


def recently_dismissed(feedback: pd.DataFrame, agent_ids: np.ndarray, item_codes,
                       as_of: pd.Timestamp, weeks: int) -> np.ndarray:
    """[A, I] the agent dismissed the item in the last `weeks` weeks."""
    out = np.zeros((len(agent_ids), len(item_codes)), dtype=bool)
    dis = feedback[feedback["action"] == "dismissed"]
    if dis.empty:
        return out
    # No upper bound: the log runs on the product's clock, which is ahead of the data's.
    dis = dis[pd.to_datetime(dis["at"]) > as_of - pd.Timedelta(weeks=weeks)]
    a = pd.Series(np.arange(len(agent_ids)), index=agent_ids).reindex(dis["employee_id"])
    i = pd.Series(np.arange(len(item_codes)), index=list(item_codes)).reindex(dis["item_code"])
    ok = a.notna().to_numpy() & i.notna().to_numpy()
    out[a.to_numpy()[ok].astype(int), i.to_numpy()[ok].astype(int)] = True
    return out


def summary(feedback: pd.DataFrame, propensity: np.ndarray) -> dict[str, float]:
    """Counts recorded with the model, so a reader sees how much the log contributed."""
    counts = feedback["action"].value_counts() if len(feedback) else pd.Series(dtype=int)
    return {
        "feedback_shown": float(counts.get("shown", 0)),
        "feedback_accepted": float(counts.get("accepted", 0)),
        "feedback_dismissed": float(counts.get("dismissed", 0)),
        "feedback_rated": float(counts.get("rated", 0)),
        "exposures_led_by_recommendation": float(np.isfinite(propensity).sum()),
    }
