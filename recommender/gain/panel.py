"""Agent state per week, built once as arrays so any (agent, week) rows gather fast.

Index t of the panel is ISO week `w0 + t`. Weekly signals (composite, metrics, QA,
sentiment) sit at the week they happened; `state(t)` only reads weeks before t, so the
state of an exposure in week t is what was known before it. Levels (assessments, pulse,
role) are carried forward from the week after they were recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain.composite import Standardiser
from recommender.gain.paths import RoleModel
from recommender.gain.weeks import as_dates, week_index, week_start

WORK_ARRANGEMENT = {"onsite": 0, "remote": 1, "hybrid": 2}
EMPLOYMENT_TYPE = {"full_time": 0, "part_time": 1, "outsourced": 2, "gig": 3}
PULSE_COLUMNS = ("engagement", "wellbeing", "enps")
CATEGORICAL_STATE = ("work_arrangement", "employment_type")


@dataclass
class Panel:
    agent_ids: np.ndarray
    w0: int
    n_weeks: int
    std: Standardiser
    roles: RoleModel
    comp: np.ndarray          # [A, T] composite
    z: np.ndarray             # [A, T, M] standardised metrics
    sent: np.ndarray          # [A, T] mean customer sentiment of sampled contacts
    qa: np.ndarray            # [A, T, K] mean QA score per skill
    level: np.ndarray         # [A, T, K] latest assessed level, carried forward
    pulse: np.ndarray         # [A, T, 3] latest pulse numbers, carried forward
    role: np.ndarray          # [A, T] role index into roles.role_codes, -1 unknown
    expo: np.ndarray          # [A, T] exposures (completions + coaching) per week
    expo_before: np.ndarray   # [A] exposures before w0
    agents: pd.DataFrame      # one row per agent, panel order

    @property
    def skill_codes(self) -> tuple[str, ...]:
        return self.roles.skill_codes

    def index_of(self, employee_ids: pd.Series) -> np.ndarray:
        lookup = pd.Series(np.arange(len(self.agent_ids)), index=self.agent_ids)
        return lookup.reindex(employee_ids.to_numpy()).to_numpy()


def build_panel(ds: Dataset, agent_ids: np.ndarray, w0: int, w1: int,
                std: Standardiser, exposures: pd.DataFrame) -> Panel:
    """Arrays for agents × weeks [w0, w1]; `exposures` has employee_id, week."""
    roles = RoleModel.from_dataset(ds)
    agent_ids = np.asarray(agent_ids, dtype=object)
    n_a, n_t = len(agent_ids), w1 - w0 + 1
    pos = pd.Series(np.arange(n_a), index=agent_ids)
    agent_index = pd.Index(agent_ids)
    lo, hi = week_start(w0), week_start(w1 + 1)

    def locate(frame: pd.DataFrame, date_col: str, shift: int) -> tuple[np.ndarray, ...]:
        a = agent_index.get_indexer(frame["employee_id"]).astype(float)
        a[a < 0] = np.nan
        t = week_index(frame[date_col]) + shift - w0 if len(frame) else np.zeros(0, int)
        return a, np.asarray(t)

    def weekly(frame: pd.DataFrame, date_col: str) -> pd.DataFrame:
        """Rows inside the panel's weeks: weekly signals outside it are never read."""
        dates = as_dates(frame[date_col])
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        return frame[(dates >= lo) & (dates < hi)]

    perf = weekly(ds.performance, "period_start")
    perf = perf[perf["metric_code"].isin(std.metric_codes)]
    a, t = locate(perf, "period_start", 0)
    m = pd.Index(std.metric_codes).get_indexer(perf["metric_code"])
    raw = _scatter_mean((n_a, n_t, len(std.metric_codes)), (a, t, m),
                        pd.to_numeric(perf["value"], errors="coerce").to_numpy(float))
    z = std.zscores(raw)
    comp = std.combine(z)

    inter = weekly(ds.interactions, "started_at")
    a, t = locate(inter, "started_at", 0)
    sent = _scatter_mean((n_a, n_t), (a, t),
                         pd.to_numeric(inter["customer_sentiment"], errors="coerce")
                         .to_numpy(float))

    skills = pd.Index(roles.skill_codes)
    qa_rows = weekly(ds.qa_evaluations, "evaluated_at")
    qa_rows = qa_rows[qa_rows["skill_code"].isin(skills)]
    a, t = locate(qa_rows, "evaluated_at", 0)
    qa = _scatter_mean((n_a, n_t, len(skills)), (a, t, skills.get_indexer(qa_rows["skill_code"])),
                       pd.to_numeric(qa_rows["score"], errors="coerce").to_numpy(float))

    sa = ds.skill_assessments[ds.skill_assessments["skill_code"].isin(skills)]
    sa = sa.sort_values("assessed_at", kind="stable")
    a, t = locate(sa, "assessed_at", 1)
    level = _carry_forward((n_a, n_t, len(skills)), (a, t, skills.get_indexer(sa["skill_code"])),
                           pd.to_numeric(sa["level"], errors="coerce").to_numpy(float))

    pulse_rows = ds.pulse_surveys.sort_values("answered_at", kind="stable")
    a, t = locate(pulse_rows, "answered_at", 1)
    pulse = np.stack([
        _carry_forward((n_a, n_t), (a, t), pd.to_numeric(pulse_rows[c], errors="coerce")
                       .to_numpy(float)) for c in PULSE_COLUMNS], axis=-1)

    role = _role_array(ds, roles, pos, w0, n_t)

    a, t = locate(exposures, "date", 0)
    ok = ~np.isnan(a.astype(float)) if len(a) else np.zeros(0, bool)
    a, t = a[ok].astype(int), t[ok]
    expo = np.zeros((n_a, n_t))
    inside = (t >= 0) & (t < n_t)
    np.add.at(expo, (a[inside], t[inside]), 1.0)
    expo_before = np.bincount(a[t < 0], minlength=n_a).astype(float)

    agents = ds.agents.drop_duplicates("employee_id").set_index("employee_id") \
        .reindex(agent_ids).reset_index()
    return Panel(agent_ids, w0, n_t, std, roles, comp, z, sent, qa, level, pulse, role,
                 expo, expo_before, agents)


def _valid(shape: tuple[int, ...], idx: tuple[np.ndarray, ...], values: np.ndarray):
    a = np.asarray(idx[0], dtype=float)
    ok = ~np.isnan(a) & ~np.isnan(values)
    ok &= (idx[1] >= 0) & (idx[1] < shape[1])
    return tuple(np.asarray(i)[ok].astype(int) for i in idx), values[ok]


def _scatter_mean(shape, idx, values) -> np.ndarray:
    idx, values = _valid(shape, idx, values)
    total, count = np.zeros(shape), np.zeros(shape)
    np.add.at(total, idx, values)
    np.add.at(count, idx, 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _carry_forward(shape, idx, values) -> np.ndarray:
    """Latest value per cell (rows are date-sorted), then carried forward over weeks."""
    t = np.clip(np.asarray(idx[1]), 0, shape[1] - 1) if len(idx[1]) else idx[1]
    idx, values = _valid(shape, (idx[0], t, *idx[2:]), values)
    out = np.full(shape, np.nan)
    out[idx] = values  # later rows overwrite earlier ones in the same week
    return _ffill_axis1(out)


def _ffill_axis1(arr: np.ndarray) -> np.ndarray:
    moved = np.moveaxis(arr, 1, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    filled = pd.DataFrame(flat).ffill(axis=1).to_numpy()
    return np.moveaxis(filled.reshape(moved.shape), -1, 1)


def _role_array(ds: Dataset, roles: RoleModel, pos: pd.Series, w0: int, n_t: int):
    code_idx = {c: i for i, c in enumerate(roles.role_codes)}
    base = ds.agents.drop_duplicates("employee_id").set_index("employee_id")["role_code"]
    base = base.reindex(pos.index).map(code_idx).fillna(-1).to_numpy(float)
    arr = np.full((len(pos), n_t), np.nan)
    arr[:, 0] = base
    hist = ds.role_history.dropna(subset=["role_code"]).sort_values("from_date", kind="stable")
    if len(hist):
        a = pos.reindex(hist["employee_id"].to_numpy()).to_numpy(float)
        t = np.clip(week_index(hist["from_date"]) - w0, 0, n_t - 1)
        r = hist["role_code"].map(code_idx).to_numpy(float)
        ok = ~np.isnan(a) & ~np.isnan(r)
        arr[a[ok].astype(int), t[ok]] = r[ok]
    return np.nan_to_num(_ffill_axis1(arr), nan=-1).astype(int)


def window_mean(arr: np.ndarray, a: np.ndarray, t: np.ndarray, lo: int, hi: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Mean of arr[a, t+lo .. t+hi-1] over present values, for each row (a, t), and the
    count of present values.

    Summed week by week inside the window, not as a difference of cumulative sums: the
    result is the same whatever history the panel holds (scoring reads the last weeks
    only), and a mean of whole numbers is exact. Differences of long cumulative sums left
    rounding noise (83.99999999999989 for 84) that the trees learned to split on."""
    a, t = np.asarray(a), np.asarray(t)
    n_t = arr.shape[1]
    s = np.zeros((len(a),) + arr.shape[2:])
    c = np.zeros_like(s)
    extra = (1,) * (arr.ndim - 2)
    for week in range(lo, hi):
        tw = t + week
        v = arr[a, np.clip(tw, 0, n_t - 1)]
        ok = ((tw >= 0) & (tw < n_t)).reshape(-1, *extra) & ~np.isnan(v)
        s += np.where(ok, v, 0.0)
        c += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan), c
