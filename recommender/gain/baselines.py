"""Baselines: popularity, and the skill-gap rule (also the no-model fallback)."""

from __future__ import annotations

import numpy as np

from recommender.gain.context import Context


def popularity_scores(ctx: Context) -> np.ndarray:
    """[A, I] items by completions in the window, the same for everyone."""
    return np.broadcast_to(ctx.popularity, ctx.ok.shape).astype(float)


def skill_gap_scores(ctx: Context) -> np.ndarray:
    """[A, I] items targeting the agent's lowest latest assessed skill rank first.

    Score = −(lowest assessed level among the item's skills); items whose skills were
    never assessed for the agent (or that have none) come after; ties by popularity."""
    level = ctx.skill.level
    skills = ctx.items.skills.astype(bool)
    lowest = np.full(ctx.ok.shape, np.nan)
    for i in range(skills.shape[0]):
        ks = np.flatnonzero(skills[i])
        if len(ks):
            lv = level[:, ks]
            any_ = ~np.isnan(lv).all(1)
            lowest[any_, i] = np.nanmin(lv[any_], axis=1)
    pop = ctx.popularity / (ctx.popularity.max() + 1.0)  # in [0, 1): only breaks ties
    return np.where(np.isnan(lowest), -10.0, -lowest) + pop[None, :]


def lowest_skill_names(ctx: Context, a: np.ndarray, i: np.ndarray) -> list[str]:
    out = []
    for aa, ii in zip(a, i, strict=True):
        ks = np.flatnonzero(ctx.items.skills[ii])
        lv = ctx.skill.level[aa, ks] if len(ks) else np.array([np.nan])
        if np.isnan(lv).all():
            out.append("")
            continue
        k = ks[np.nanargmin(lv)]
        out.append(f"{ctx.panel.roles.skill_names[k].lower()} (level {np.nanmin(lv):.0f})")
    return out
