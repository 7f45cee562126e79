"""Everything recommending needs at the as-of date, computed once per call.

Agents scored: active at as-of (hired on or before it, no separation on or before it)
and agents, i.e. their current role's family is frontline or specialist, or they have
performance in the weeks the features look back on (a roster may hold leads and staff
outside the contact centre; a lead who took contacts months ago is not scored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain.composite import Standardiser
from recommender.gain.eligibility import completed, eligible, mandatory
from recommender.gain.features import ItemTable, SkillState, state_features
from recommender.gain.feedback import recently_dismissed
from recommender.gain.panel import Panel, build_panel
from recommender.gain.training import exposures
from recommender.gain.weeks import as_dates, week_index, week_start

AGENT_FAMILIES = ("frontline", "specialist")
HISTORY_WEEKS = 30  # state features look back at most 12 weeks; margin for carry-forward
# Weeks of weekly signals (performance, QA, contacts) the state features and reasons look
# back on: none further than the 12 weeks ending with as-of's week (features.py).
SCORING_WEEKLY_WEEKS = 12


@dataclass
class Context:
    ds: Dataset
    panel: Panel
    items: ItemTable
    state: pd.DataFrame
    skill: SkillState
    count: np.ndarray      # [A, I] past completions (incl. coaching on that topic)
    ok: np.ndarray         # [A, I] eligible for the gain ranking
    mandatory: pd.DataFrame
    budget: np.ndarray     # [A] minutes left this week after mandatory items due in 7 days
    popularity: np.ndarray  # [I] completions in the window

    @property
    def agent_ids(self) -> np.ndarray:
        return self.panel.agent_ids

    def path_gap(self) -> tuple[np.ndarray, np.ndarray]:
        """[A, I] missing next-step skills an item targets, and [A] skills missing."""
        missing = (self.skill.gap_next > 0).astype(float)
        return missing @ self.items.skills.T, missing.sum(1)


def scoring_since(as_of) -> pd.Timestamp:
    """Monday of the first of the SCORING_WEEKLY_WEEKS weeks that end with as-of's week:
    batch scoring reads weekly signals from here. A reader that weeks contacts by their
    local week (`period_start`) must start a week earlier: they are counted in their UTC
    week, which can be the next one (tests/recommender/test_gain_end_to_end.py,
    tests/ml/test_scoring_read.py: the same features and lists as the whole history)."""
    return week_start(week_index(pd.Timestamp(as_of)) - (SCORING_WEEKLY_WEEKS - 1))


def active_agents(ds: Dataset) -> np.ndarray:
    agents = ds.agents.drop_duplicates("employee_id")
    as_of = ds.as_of
    hired = pd.to_datetime(agents["hire_date"])
    ok = hired.isna() | (hired <= as_of)
    left = ds.separations[as_dates(ds.separations["separation_date"]) <= as_of]
    ok &= ~agents["employee_id"].isin(left["employee_id"])
    role = current_roles(ds).reindex(agents["employee_id"]).to_numpy()
    family = ds.roles.set_index("role_code")["family"]
    is_agent = pd.Series(role).map(family).isin(AGENT_FAMILIES).to_numpy()
    # The same from the whole history as from scoring's read of the last weeks.
    perf = ds.performance[as_dates(ds.performance["period_start"]) >= scoring_since(as_of)]
    ok &= is_agent | agents["employee_id"].isin(perf["employee_id"].unique()).to_numpy()
    return np.sort(agents.loc[ok, "employee_id"].astype(str).to_numpy()).astype(object)


def current_roles(ds: Dataset) -> pd.Series:
    base = ds.agents.drop_duplicates("employee_id").set_index("employee_id")["role_code"]
    hist = ds.role_history.dropna(subset=["role_code"])
    hist = hist[as_dates(hist["from_date"]) <= ds.as_of].sort_values("from_date")
    latest = hist.groupby("employee_id")["role_code"].last()
    return latest.combine_first(base)


def fallback_standardiser(ds: Dataset) -> Standardiser:
    try:
        return Standardiser.fit(ds.metrics, ds.performance)
    except ValueError:  # no performance yet: the composite is unused by the rules
        return Standardiser(("none",), (0.0,), (1.0,), (1.0,), (1.0,))


def build_context(ds: Dataset, std: Standardiser, *, cooldown_weeks: int, budget: float,
                  grace_days: int, horizon_days: int) -> Context:
    agent_ids = active_agents(ds)
    expo = exposures(ds, agent_ids)
    w1 = week_index(ds.as_of) + 1
    panel = build_panel(ds, agent_ids, w1 - HISTORY_WEEKS, w1, std, expo)
    items = ItemTable.from_dataset(ds, panel.skill_codes)
    n = len(agent_ids)
    state, skill = state_features(panel, np.arange(n), np.full(n, panel.n_weeks - 1))
    count, last = completed(expo, agent_ids, items)
    ok = eligible(items, count, last, ds.as_of, cooldown_weeks)
    ok &= ~recently_dismissed(ds.recommendation_feedback, agent_ids, items.codes, ds.as_of,
                              cooldown_weeks)
    mand = mandatory(ds, agent_ids, items, last, grace_days=grace_days,
                     horizon_days=horizon_days)
    soon = mand[mand["due_date"] <= ds.as_of + pd.Timedelta(days=7)]
    minutes = pd.Series(items.duration, index=items.codes).reindex(soon["item_code"])
    used = minutes.groupby(soon["employee_id"].to_numpy()).sum()
    left = budget - used.reindex(agent_ids).fillna(0.0).to_numpy()
    comp = ds.completions[as_dates(ds.completions["completed_at"]) <= ds.as_of]
    pop = comp["item_code"].value_counts().reindex(items.codes).fillna(0).to_numpy(float)
    return Context(ds, panel, items, state, skill, count, ok, mand, np.maximum(left, 0.0), pop)
