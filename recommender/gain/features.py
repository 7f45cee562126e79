"""Feature rows: the agent's state before a week, and agent × item features.

State features (names depend on the data set's metric and skill codes; the model keeps
its list): composite and per-metric levels and trends, sentiment, QA per skill, latest
assessed levels, gaps to the current role and to the next career step, pulse numbers
(never comments), tenure, work arrangement, employment type, past development.

Item features never include the item's identity: an item is described by kind, delivery,
duration and how its skills meet this agent's gaps, QA and levels. That is what lets a
new item with no history be scored (cold start), and lets the learned effect of "a
simulation on a skill you are weak in" transfer between items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain.panel import (
    EMPLOYMENT_TYPE,
    PULSE_COLUMNS,
    WORK_ARRANGEMENT,
    Panel,
    window_mean,
)
from recommender.gain.paths import _codes

KIND = {"course": 0, "microlearning": 1, "simulation": 2, "shadowing": 3, "coaching": 4}
DELIVERY = {"online": 0, "in_person": 1, "blended": 2}
CATEGORICAL = ("work_arrangement", "employment_type", "item_kind", "item_delivery")
ITEM_FEATURES = (
    "item_kind", "item_delivery", "item_duration", "item_n_skills",
    "it_gap_cur_mean", "it_gap_cur_max", "it_gap_next_mean", "it_gap_next_max",
    "it_lvl_min", "it_lvl_mean", "it_unassessed", "it_qa_mean", "it_qa_vs_own",
    "remote_x_in_person", "it_done_before", "item_prior_gain", "item_prior_n",
)
# item_prior_*: the item's shrunken mean imputed effect in training (see model.py); NaN
# for an item with no history, which is what makes cold start fall back on skills.


@dataclass
class SkillState:
    """Per state row and skill: the facts item features and reasons are built from."""

    level: np.ndarray     # latest assessed level, nan if never assessed
    qa8: np.ndarray       # mean QA score over the last 8 weeks
    gap_cur: np.ndarray   # levels missing to the current role
    gap_next: np.ndarray  # levels missing to the next career step
    next_role: np.ndarray  # [N] role index of the next step, -1 none


@dataclass(frozen=True)
class ItemTable:
    codes: tuple[str, ...]
    kind: np.ndarray
    delivery: np.ndarray
    duration: np.ndarray
    skills: np.ndarray       # [I, K] 0/1
    active: np.ndarray
    mandatory: np.ndarray
    recertify_months: np.ndarray
    prerequisites: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]

    @classmethod
    def from_dataset(cls, ds: Dataset, skill_codes: tuple[str, ...]) -> ItemTable:
        items = ds.learning_items.drop_duplicates("item_code").sort_values("item_code")
        k_ix = {c: i for i, c in enumerate(skill_codes)}
        skills = np.zeros((len(items), len(skill_codes)))
        for i, codes in enumerate(items["skill_codes"]):
            for code in _codes(codes):
                if code in k_ix:
                    skills[i, k_ix[code]] = 1.0
        return cls(
            codes=tuple(items["item_code"].astype(str)),
            kind=items["kind"].map(KIND).fillna(-1).to_numpy(float),
            delivery=items["delivery"].map(DELIVERY).fillna(-1).to_numpy(float),
            duration=pd.to_numeric(items["duration_minutes"], errors="coerce")
            .fillna(0).to_numpy(float),
            skills=skills,
            active=_bool(items["active"], True),
            mandatory=_bool(items["mandatory"], False),
            recertify_months=pd.to_numeric(items["recertify_months"], errors="coerce")
            .to_numpy(float),
            prerequisites=tuple(tuple(_codes(p)) for p in items["prerequisite_codes"]),
            titles=tuple(items["title"].fillna(items["item_code"]).astype(str)),
        )

    def index_of(self, codes: pd.Series) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.codes)}
        return codes.map(lookup).fillna(-1).astype(int).to_numpy()


def _bool(col: pd.Series, default: bool) -> np.ndarray:
    def one(v: object) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v == "":
            return default
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1", "yes")
        return bool(v)
    return np.array([one(v) for v in col], dtype=bool)


def state_features(panel: Panel, a: np.ndarray, t: np.ndarray) -> tuple[pd.DataFrame,
                                                                        SkillState]:
    """State before week w0+t for each row (a, t); t may be one past the last week."""
    cols: dict[str, np.ndarray] = {}
    last, _ = window_mean(panel.comp, a, t, -1, 0)
    mean4, _ = window_mean(panel.comp, a, t, -4, 0)
    mean12, n12 = window_mean(panel.comp, a, t, -12, 0)
    prev8, _ = window_mean(panel.comp, a, t, -12, -4)
    cols.update(comp_last1=last, comp_mean4=mean4, comp_mean12=mean12,
                comp_trend=mean4 - prev8, comp_last_vs_12=last - mean12, comp_obs12=n12)
    m4, _ = window_mean(panel.z, a, t, -4, 0)
    p8, _ = window_mean(panel.z, a, t, -12, -4)
    for j, code in enumerate(panel.std.metric_codes):
        cols[f"z_{code}_mean4"] = m4[:, j]
        cols[f"z_{code}_trend"] = m4[:, j] - p8[:, j]
    s4, _ = window_mean(panel.sent, a, t, -4, 0)
    s12, _ = window_mean(panel.sent, a, t, -12, -4)
    cols.update(sent_mean4=s4, sent_trend=s4 - s12)
    qa8, _ = window_mean(panel.qa, a, t, -8, 0)
    present = ~np.isnan(panel.qa)
    n_present = present.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        qa_week = np.where(n_present > 0, np.where(present, panel.qa, 0.0).sum(-1)
                           / np.maximum(n_present, 1), np.nan)
    cols["qa8_all"], _ = window_mean(qa_week, a, t, -8, 0)
    for k, code in enumerate(panel.skill_codes):
        cols[f"qa8_{code}"] = qa8[:, k]

    tc = np.minimum(t, panel.n_weeks - 1)
    level = panel.level[a, tc]
    role = panel.role[a, tc]
    goal = panel.roles.role_index(panel.agents["goal_role_code"])[a]
    nxt = panel.roles.next_steps(role, goal)
    gap_cur = panel.roles.gaps(role, level)
    gap_next = panel.roles.gaps(nxt, level)
    for k, code in enumerate(panel.skill_codes):
        cols[f"lvl_{code}"] = level[:, k]
    cols.update(
        lvl_mean=_nanmean(level), n_assessed=(~np.isnan(level)).sum(1).astype(float),
        gap_cur_total=gap_cur.sum(1), gap_cur_n=(gap_cur > 0).sum(1).astype(float),
        gap_next_total=gap_next.sum(1), gap_next_n=(gap_next > 0).sum(1).astype(float),
        role_level=np.where(role >= 0, panel.roles.level[np.maximum(role, 0)], np.nan),
        has_next_step=(nxt >= 0).astype(float),
    )
    for j, name in enumerate(PULSE_COLUMNS):
        cols[f"pulse_{name}"] = panel.pulse[a, tc, j]

    hire = pd.to_datetime(panel.agents["hire_date"])
    hire_week = ((hire - pd.Timestamp("1970-01-05")).dt.days // 7).to_numpy(float)
    cols["tenure_weeks"] = (panel.w0 + t) - hire_week[a]
    cols["work_arrangement"] = panel.agents["work_arrangement"].map(WORK_ARRANGEMENT) \
        .fillna(-1).to_numpy(float)[a]
    cols["employment_type"] = panel.agents["employment_type"].map(EMPLOYMENT_TYPE) \
        .fillna(-1).to_numpy(float)[a]
    dev12, n = window_mean(panel.expo, a, t, -12, 0)
    cols["dev_12w"] = np.nan_to_num(dev12) * n
    dev_all, n_all = window_mean(panel.expo, a, t, -panel.n_weeks - 1, 0)
    cols["dev_total"] = np.nan_to_num(dev_all) * n_all + panel.expo_before[a]
    cols["weeks_since_dev"] = _weeks_since(panel.expo, a, t)
    frame = pd.DataFrame(cols)
    return frame, SkillState(level, qa8, gap_cur, gap_next, nxt)


def _nanmean(x: np.ndarray) -> np.ndarray:
    present = ~np.isnan(x)
    n = present.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(present, x, 0).sum(1) / np.maximum(n, 1), np.nan)


def _weeks_since(expo: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    n_t = expo.shape[1]
    marks = np.where(expo > 0, np.arange(n_t)[None, :], -1)
    last = np.maximum.accumulate(marks, axis=1)
    last = np.pad(last, ((0, 0), (1, 0)), constant_values=-1)  # last[:, t] = before t
    prev = last[a, np.clip(t, 0, n_t)]
    return np.where(prev >= 0, t - prev, np.nan).astype(float)


def item_features(state: pd.DataFrame, sk: SkillState, rows: np.ndarray, item: np.ndarray,
                  items: ItemTable, done_before: np.ndarray) -> pd.DataFrame:
    """Features of pairs (state row rows[j], item item[j]); loops over items, not pairs."""
    n = len(rows)
    out = {name: np.full(n, np.nan) for name in ITEM_FEATURES}
    out["item_kind"] = items.kind[item]
    out["item_delivery"] = items.delivery[item]
    out["item_duration"] = items.duration[item]
    out["item_n_skills"] = items.skills.sum(1)[item]
    remote = state["work_arrangement"].to_numpy()[rows] == 1
    out["remote_x_in_person"] = (remote & (items.delivery[item] == 1)).astype(float)
    out["it_done_before"] = done_before.astype(float)
    qa_own = state["qa8_all"].to_numpy()
    order = np.argsort(item, kind="stable")
    bounds = np.flatnonzero(np.diff(item[order])) + 1
    for group in np.split(order, bounds):
        if not len(group):
            continue
        ks = np.flatnonzero(items.skills[item[group[0]]])
        if not len(ks):
            continue
        r = rows[group]
        gc, gn = sk.gap_cur[r][:, ks], sk.gap_next[r][:, ks]
        lvl, qa = sk.level[r][:, ks], sk.qa8[r][:, ks]
        filled = np.where(np.isnan(lvl), 1.0, lvl)
        out["it_gap_cur_mean"][group] = gc.mean(1)
        out["it_gap_cur_max"][group] = gc.max(1)
        out["it_gap_next_mean"][group] = gn.mean(1)
        out["it_gap_next_max"][group] = gn.max(1)
        out["it_lvl_min"][group] = filled.min(1)
        out["it_lvl_mean"][group] = filled.mean(1)
        out["it_unassessed"][group] = np.isnan(lvl).mean(1)
        qa_mean = _nanmean(qa)
        out["it_qa_mean"][group] = qa_mean
        out["it_qa_vs_own"][group] = qa_mean - qa_own[r]
    return pd.DataFrame(out)
