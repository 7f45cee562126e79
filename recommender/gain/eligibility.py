"""Which items may be shown, which are owed by rule, and how a list is picked.

Eligible for the gain ranking: active, not mandatory, no recertification rule, every
prerequisite completed, and not completed in the last `cooldown_weeks`. Mandatory and
recertification items are never ranked: they come back separately with due dates.
The list is a plan over `plan_weeks` weeks: chosen greedily by score within the whole
plan's budget, then each item is given a week so that no week exceeds the weekly budget
(`plan_weeks`). Earlier versions cut the list at one week's budget, which left agents one
or two items and lost the best ones to whatever happened to fit. With
probability epsilon its last slot is given to a uniformly drawn other item that fits,
and every row carries the probability it had of being shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain.features import ItemTable


def completed(expo: pd.DataFrame, agent_ids: np.ndarray, items: ItemTable
              ) -> tuple[np.ndarray, np.ndarray]:
    """[A, I] number of completions, and the latest completion date (NaT if none)."""
    pos = pd.Series(np.arange(len(agent_ids)), index=agent_ids)
    a = pos.reindex(expo["employee_id"].to_numpy()).to_numpy(float)
    i = items.index_of(expo["item_code"]).astype(float)
    ok = ~np.isnan(a) & (i >= 0)
    a, i = a[ok].astype(int), i[ok].astype(int)
    count = np.zeros((len(agent_ids), len(items.codes)))
    np.add.at(count, (a, i), 1.0)
    last = np.full(count.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    dates = expo["date"].to_numpy()[ok]
    order = np.argsort(dates, kind="stable")
    last[a[order], i[order]] = dates[order]  # later dates overwrite
    return count, last


def eligible(items: ItemTable, count: np.ndarray, last: np.ndarray, as_of: pd.Timestamp,
             cooldown_weeks: int) -> np.ndarray:
    base = items.active & ~items.mandatory & np.isnan(items.recertify_months)
    ok = np.broadcast_to(base, count.shape).copy()
    code_ix = {c: j for j, c in enumerate(items.codes)}
    for j, prereqs in enumerate(items.prerequisites):
        for code in prereqs:
            # a prerequisite missing from the catalogue cannot have been completed
            ok[:, j] &= count[:, code_ix[code]] > 0 if code in code_ix else False
    cutoff = np.datetime64(as_of - pd.Timedelta(weeks=cooldown_weeks), "ns")
    recent = ~np.isnat(last) & (last > cutoff)
    return ok & ~recent


def mandatory(ds: Dataset, agent_ids: np.ndarray, items: ItemTable, last: np.ndarray,
              *, grace_days: int, horizon_days: int) -> pd.DataFrame:
    """Rule-assigned items: mandatory never completed (due as_of + grace) and
    recertifications falling due within the horizon (due last completion + months)."""
    as_of = ds.as_of
    rows = []
    for j in np.flatnonzero(items.active & (items.mandatory | ~np.isnan(items.recertify_months))):
        months = items.recertify_months[j]
        done = ~np.isnat(last[:, j])
        if items.mandatory[j]:
            for a in np.flatnonzero(~done):
                rows.append((agent_ids[a], items.codes[j], as_of + pd.Timedelta(days=grace_days),
                             f"{items.titles[j]} is mandatory and you have not completed it."))
        if not np.isnan(months):
            due = pd.DatetimeIndex(last[done, j]) + pd.DateOffset(months=int(months))
            soon = due <= as_of + pd.Timedelta(days=horizon_days)
            for a, d, s in zip(np.flatnonzero(done), due, soon, strict=True):
                if s:
                    when = pd.Timestamp(last[a, j]).date().isoformat()
                    rows.append((agent_ids[a], items.codes[j], d,
                                 f"Recertification: you last completed {items.titles[j]} on "
                                 f"{when}; it must be renewed every {int(months)} months."))
    out = pd.DataFrame(rows, columns=["employee_id", "item_code", "due_date", "reason"])
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out.sort_values(["employee_id", "due_date", "item_code"], kind="stable") \
        .reset_index(drop=True)


def select(score: np.ndarray, ok: np.ndarray, duration: np.ndarray, budget: np.ndarray,
           *, k: int, epsilon: float, seed: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy by score within budget; epsilon-exploration on the last slot.

    Returns chosen [A, k] item index (-1 empty), propensity [A, k], explored [A, k]."""
    n_a = score.shape[0]
    chosen = np.full((n_a, k), -1)
    prop = np.ones((n_a, k))
    explored = np.zeros((n_a, k), dtype=bool)
    avail = ok.copy()
    remaining = budget.astype(float).copy()
    rows = np.arange(n_a)
    rng = np.random.default_rng(seed)
    explore_draw = rng.random(n_a) < epsilon
    pick_draw = rng.random(n_a)
    for r in range(k):
        fits = avail & (duration[None, :] <= remaining[:, None])
        s = np.where(fits, score, -np.inf)
        best = s.argmax(1)
        has = np.isfinite(s[rows, best])
        pick = best.copy()
        if r == k - 1 and epsilon > 0:
            others = fits.copy()
            others[rows, best] = False
            n_other = others.sum(1)
            can = has & (n_other > 0)
            # uniform draw among the other fitting items, from the pre-drawn uniform
            nth = np.minimum((pick_draw * n_other).astype(int), np.maximum(n_other - 1, 0))
            cum = np.cumsum(others, axis=1)
            alt = (cum > nth[:, None]).argmax(1)
            go = can & explore_draw
            pick = np.where(go, alt, best)
            prop[:, r] = np.where(go, epsilon / np.maximum(n_other, 1),
                                  np.where(can, 1.0 - epsilon, 1.0))
            explored[:, r] = go
        chosen[:, r] = np.where(has, pick, -1)
        sel = rows[has]
        avail[sel, pick[has]] = False
        remaining[sel] -= duration[pick[has]]
    prop[chosen < 0] = np.nan
    return chosen, prop, explored


def schedule_weeks(chosen: np.ndarray, duration: np.ndarray, first_week_left: np.ndarray,
                   weekly: float) -> np.ndarray:
    """The week (1 = this week) each chosen item is planned for, in rank order, so that no
    week holds more than the weekly budget (this week: what is left of it). An item longer
    than a week's budget starts in a fresh week and takes as many weeks as it needs.

    chosen [A, k] item index (-1 empty) -> [A, k] plan week (0 where empty)."""
    n_a, k = chosen.shape
    weekly = max(float(weekly), 1.0)
    week = np.zeros((n_a, k), dtype=int)
    current = np.ones(n_a, dtype=int)
    left = np.maximum(first_week_left.astype(float), 0.0)
    for r in range(k):
        has = chosen[:, r] >= 0
        dur = np.where(has, duration[np.maximum(chosen[:, r], 0)], 0.0)
        fits = dur <= left
        # Does not fit what is left: start the next week.
        current = np.where(has & ~fits, current + 1, current)
        left = np.where(has & ~fits, weekly, left)
        week[:, r] = np.where(has, current, 0)
        spans = np.maximum(np.ceil(dur / weekly), 1).astype(int)
        long = has & (dur > left)  # longer than a whole week: occupies `spans` weeks
        current = np.where(long, current + spans - 1, current)
        left = np.where(long, spans * weekly - dur, np.where(has, left - dur, left))
    return week
