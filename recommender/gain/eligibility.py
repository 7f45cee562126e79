"""Which items may be shown, which are owed by rule, and how a list is picked.

Eligible for the gain ranking: active, not mandatory, no recertification rule, every
prerequisite completed, and not completed in the last `cooldown_weeks`. Mandatory and
recertification items are never ranked: they come back separately with due dates.
The list is a plan over `plan_weeks` weeks: the at most k items with the highest total
score that fit the whole plan's budget (exact knapsack; a greedy fill by score let one
long item crowd out several shorter ones worth more together), then each item is given a
week so that no week exceeds the weekly budget. Earlier versions cut the list at one
week's budget, which left agents one or two items and lost the best ones to whatever
happened to fit. With
probability epsilon its last slot is given to a uniformly drawn other item that fits,
and every row carries the probability it had of being shown.
"""

from __future__ import annotations

from itertools import combinations

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
    grace_due = as_of + pd.Timedelta(days=grace_days)
    rows = []
    for j in np.flatnonzero(items.active & (items.mandatory | ~np.isnan(items.recertify_months))):
        months = items.recertify_months[j]
        done = ~np.isnat(last[:, j])
        if items.mandatory[j]:
            # one due date and one sentence per item, shared by every agent who owes it
            reason = f"{items.titles[j]} is mandatory and you have not completed it."
            rows.extend((agent_ids[a], items.codes[j], grace_due, reason)
                        for a in np.flatnonzero(~done))
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


KNAPSACK_CELLS = 32_000_000  # bound on the plan fill's choice table (bytes) per block
MAX_OFF_STEP = 3  # items the knapsack tries by combination instead of in its table


def select(score: np.ndarray, ok: np.ndarray, duration: np.ndarray, budget: np.ndarray,
           *, k: int, epsilon: float, seed: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The plan with the highest total score that fits the budget (`plan_fill`), in
    score order; epsilon-exploration on the last slot.

    Returns chosen [A, k] item index (-1 empty), propensity [A, k], explored [A, k]."""
    n_a = score.shape[0]
    s = np.where(ok, score, -np.inf)
    chosen = plan_fill(s, duration, budget, k=k)
    prop = np.ones((n_a, k))
    explored = np.zeros((n_a, k), dtype=bool)
    rng = np.random.default_rng(seed)
    explore_draw = rng.random(n_a) < epsilon
    pick_draw = rng.random(n_a)
    if epsilon > 0 and k > 0:
        last = chosen[:, k - 1]
        has = last >= 0
        head = chosen[:, : k - 1]
        used = np.where(head >= 0, duration[np.maximum(head, 0)], 0.0).sum(1)
        # The other items that fit the minutes the rest of the plan leaves.
        others = ok & ~_taken(chosen, ok.shape) & (duration[None, :] <= (budget - used)[:, None])
        n_other = others.sum(1)
        can = has & (n_other > 0)
        # uniform draw among the other fitting items, from the pre-drawn uniform
        nth = np.minimum((pick_draw * n_other).astype(int), np.maximum(n_other - 1, 0))
        alt = (np.cumsum(others, axis=1) > nth[:, None]).argmax(1)
        go = can & explore_draw
        chosen[:, k - 1] = np.where(go, alt, last)
        prop[:, k - 1] = np.where(go, epsilon / np.maximum(n_other, 1),
                                  np.where(can, 1.0 - epsilon, 1.0))
        explored[:, k - 1] = go
    prop[chosen < 0] = np.nan
    return chosen, prop, explored


def plan_fill(score: np.ndarray, duration: np.ndarray, budget: np.ndarray, *, k: int
              ) -> np.ndarray:
    """Per agent, the at most k items (score -inf = not allowed) with the highest total
    score whose minutes fit the budget, in score order; slots still empty are then
    filled greedily by score with what fits. Filling greedily by score alone lets one
    long item crowd out several short ones worth more together (0/1 knapsack with a
    count limit, solved exactly by dynamic programming over the whole-minute totals the
    items can reach).

    score [A, I], duration [I], budget [A] -> chosen [A, k] item index (-1 empty)."""
    n_a = score.shape[0]
    chosen = np.full((n_a, k), -1)
    if k == 0 or n_a == 0:
        return chosen
    budget = np.asarray(budget, dtype=float)
    top = np.argsort(-score, axis=1, kind="stable")[:, :k]
    top_ok = np.isfinite(np.take_along_axis(score, top, 1))
    top_minutes = np.where(top_ok, duration[top], 0.0).sum(1)
    free = top_minutes <= budget  # the best k fit: nothing to trade off
    chosen[free, : top.shape[1]] = np.where(top_ok[free], top[free], -1)
    tight = np.flatnonzero(~free)
    if len(tight) == 0:
        return _fill_greedily(chosen, score, duration, budget)
    # A tight agent's budget is under the minutes of its best k, so under the k longest.
    mins = np.ceil(np.maximum(duration, 0.0)).astype(int)
    cap = int(min(max(np.floor(budget[tight].max()), 0), np.sort(mins)[-k:].sum()))
    off_step = _off_step_items(mins, cap)
    totals = _reachable_totals(np.delete(mins, off_step), k, cap)
    block = max(1, int(KNAPSACK_CELLS // (len(duration) * (k + 1) * len(totals))))
    for start in range(0, len(tight), block):
        rows = tight[start: start + block]
        chosen[rows] = _knapsack(score[rows], mins, budget[rows], k, cap, totals, off_step)
    return _fill_greedily(chosen, score, duration, budget)


def _off_step_items(mins: np.ndarray, cap: int) -> list[int]:
    """The few items (at most MAX_OFF_STEP) whose minutes break the largest step that all
    the other items that fit `cap` share: one 8-minute module among durations in 5-minute
    steps would otherwise double the knapsack's table."""
    fits = mins <= cap
    best: list[int] = []
    for step in range(2, int(mins[fits].max(initial=0)) + 1):
        off = np.flatnonzero(fits & (mins % step != 0))
        if len(off) <= MAX_OFF_STEP:
            best = off.tolist()  # the largest such step wins
    return best


def _reachable_totals(mins: np.ndarray, k: int, cap: int) -> np.ndarray:
    """The sorted minute totals of at most k items that are no more than `cap` (0 first).
    A best plan within m minutes only changes at these totals, so the knapsack's table
    needs no other columns: durations in 5-minute steps leave a fifth of them."""
    reach = np.zeros((k + 1, cap + 1), dtype=bool)
    reach[0, 0] = True
    for d in mins[mins <= cap]:
        for c in range(k, 0, -1):
            reach[c, d:] |= reach[c - 1, : cap + 1 - d]
    return np.flatnonzero(reach.any(0))


def _knapsack(score: np.ndarray, mins: np.ndarray, budget: np.ndarray, k: int, cap: int,
              totals: np.ndarray, off_step: list[int]) -> np.ndarray:
    """Exact at-most-k-items knapsack over positive scores, vectorised over agents.
    `mins`: whole minutes per item; `totals`: `_reachable_totals` of the items other than
    `off_step`. Those few are left out of the table; each combination of them is tried
    on top of the table's best plan in the minutes it leaves."""
    n_a, n_i = score.shape
    value = np.where(score > 0, score, -np.inf)  # an item expected to hurt adds nothing
    value[_dominated(value, mins, k)] = -np.inf
    live = [j for j in range(n_i) if mins[j] <= cap and np.isfinite(value[:, j]).any()]
    items = [j for j in live if j not in off_step]
    extras = [combo for size in range(min(k, len(off_step)) + 1)
              for combo in combinations([j for j in live if j in off_step], size)]
    # dp[c, p, a]: best total of exactly c items within totals[p] minutes. Taking item j
    # at p starts from the largest total that leaves its minutes: column source[j][p].
    source = {j: np.searchsorted(totals, totals - mins[j], side="right") - 1 for j in items}
    n_p = len(totals)
    dp = np.full((k + 1, n_p, n_a), -np.inf)
    dp[0] = 0.0
    took = np.zeros((len(items), k + 1, n_p, n_a), dtype=bool)
    buffer = np.empty((n_p, n_a))
    for step, j in enumerate(items):
        first = int(np.searchsorted(totals, mins[j]))  # columns the item fits in
        src = source[j][first:]
        for c in range(min(k, step + 1), 0, -1):  # no plan before it holds more
            cand = np.take(dp[c - 1], src, axis=0, out=buffer[: n_p - first])
            cand += value[:, j]
            better = np.greater(cand, dp[c, first:], out=took[step, c, first:])
            np.copyto(dp[c, first:], cand, where=better)
    agents = np.arange(n_a)
    # The best of: the table's plan in the whole budget, or off-step items plus the
    # table's plan of fewer items in the minutes they leave (the first on ties).
    best = np.full(n_a, -np.inf)
    c, p, extra = (np.zeros(n_a, dtype=int) for _ in range(3))
    for e, combo in enumerate(extras):
        left = np.floor(budget) - mins[list(combo)].sum()
        at = np.searchsorted(totals, np.clip(left, 0, totals[-1]), side="right") - 1
        table = dp[: k - len(combo) + 1, at, agents]
        count = table.argmax(0)
        total = table[count, agents] + value[:, list(combo)].sum(1)
        better = (total > best) & (left >= 0)
        best[better], c[better], p[better], extra[better] = \
            total[better], count[better], at[better], e
    picked = np.zeros((n_a, n_i), dtype=bool)
    for e, combo in enumerate(extras):
        for j in combo:
            picked[extra == e, j] = True
    for step in range(len(items) - 1, -1, -1):
        j = items[step]
        take = (c > 0) & took[step, np.maximum(c, 0), p, agents]
        picked[take, j] = True
        c = c - take
        p = np.where(take, source[j][p], p)
    order = np.argsort(-np.where(picked, score, -np.inf), axis=1, kind="stable")[:, :k]
    out = np.full((n_a, k), -1)
    out[:, : order.shape[1]] = np.where(np.take_along_axis(picked, order, 1), order, -1)
    return out


def _dominated(value: np.ndarray, mins: np.ndarray, k: int) -> np.ndarray:
    """[A, I] True where k other items are worth at least as much (ties: the lower index)
    in no more minutes. Such an item is never needed in a best plan of k items: at least
    one of those k is left out of any plan holding it and can take its place. Dropping
    them before the knapsack halves the items it loops over on the simulator."""
    n_i = value.shape[1]
    finite = np.isfinite(value)
    out = np.zeros(value.shape, dtype=bool)
    index = np.arange(n_i)
    for j in range(n_i):
        col = value[:, j:j + 1]
        better = (value > col) | ((value == col) & (index < j)[None, :])
        better &= finite & (mins <= mins[j])[None, :]
        out[:, j] = better.sum(1) >= k
    return out


def _taken(chosen: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, dtype=bool)
    a, r = np.nonzero(chosen >= 0)
    out[a, chosen[a, r]] = True
    return out


def _fill_greedily(chosen: np.ndarray, score: np.ndarray, duration: np.ndarray,
                   budget: np.ndarray) -> np.ndarray:
    n_a, k = chosen.shape
    rows = np.arange(n_a)
    avail = np.isfinite(score) & ~_taken(chosen, score.shape)
    left = budget - np.where(chosen >= 0, duration[np.maximum(chosen, 0)], 0.0).sum(1)
    for r in range(k):
        empty = chosen[:, r] < 0
        if not empty.any():
            continue
        s = np.where(avail & (duration[None, :] <= left[:, None]), score, -np.inf)
        best = s.argmax(1)
        put = empty & np.isfinite(s[rows, best])
        chosen[put, r] = best[put]
        avail[rows[put], best[put]] = False
        left[put] -= duration[best[put]]
    return chosen


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
