"""90-day attrition risk: LightGBM on agent snapshots, calibrated on later snapshots.

Snapshot at week k = an agent active on that Monday, described only by what was known
before it (weeks < k); label = separated (any reason) within the next 91 days. Splits are
by time with a 13-week embargo so no leaver's label is seen by both the booster and the
calibrator/test rows: booster on early snapshots, Platt calibration on the next block,
evaluation (in `evaluate`) on the last complete block.

Confidential pulse answers feed the model but never appear in drivers: a driver sentence
is shown to team leads, and any sentence derived from an individual's pulse (even
"engagement is low", without numbers) would reveal it. Their share of the risk stays in
the number, unexplained.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from recommender import fairness
from recommender.dataset import Dataset
from recommender.retention.panel import Panel, build_panel, pulse_latest

HORIZON_DAYS = 91
PULSE_FEATURES = ("engagement", "wellbeing", "enps")
CATEGORICAL = ("employment_type", "work_arrangement")
MODEL_VERSION = "retention-risk-1"
# Snapshots repeat the same agents week after week, so deep trees memorise people: small
# trees, big leaves and early stopping on the (later) calibration block.
PARAMS = {"objective": "binary", "learning_rate": 0.03, "num_leaves": 4,
          "min_data_in_leaf": 300, "feature_fraction": 0.8, "bagging_fraction": 0.8,
          "bagging_freq": 1, "lambda_l2": 5.0, "verbose": -1, "seed": 0,
          "num_threads": 2, "deterministic": True}
NUM_ROUNDS = 1500


def _safe(code: str) -> str:
    # LightGBM rejects JSON-special characters in feature names; metric codes are opaque
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(code))


def _window_sum(m: np.ndarray, weeks: int, lag: int = 1) -> np.ndarray:
    c = np.concatenate([np.zeros((len(m), 1)), np.cumsum(m, axis=1)], axis=1)
    k = np.arange(m.shape[1])
    hi = np.clip(k + 1 - lag, 0, None)
    lo = np.clip(hi - weeks, 0, None)
    return c[:, hi] - c[:, lo]


def feature_cube(ds: Dataset, panel: Panel) -> dict[str, np.ndarray]:
    """Every feature as an (agents × weeks) matrix, using only weeks before each column."""
    n, w = len(panel.ids), len(panel.weeks)
    comp = panel.composite
    f: dict[str, np.ndarray] = {}
    f["perf_4w"] = panel.recent_mean(comp, 4)
    f["perf_12w"] = panel.recent_mean(comp, 12)
    f["perf_trend"] = f["perf_4w"] - panel.recent_mean(comp, 8, lag=5)
    for code, z in panel.metric_z.items():
        f[f"metric__{_safe(code)}"] = panel.recent_mean(z, 4)
    f["weeks_missing_4w"] = 4 - _window_sum((~np.isnan(comp)).astype(float), 4)
    dev = panel.dev_counts[:, panel.dev_offset:]
    f["dev_12w"] = _window_sum(panel.dev_counts, 12)[:, panel.dev_offset:]
    last = np.full((n, w), np.nan)
    seen = np.full(n, np.nan)
    before = panel.dev_counts[:, :panel.dev_offset].sum(axis=1) > 0
    seen[before] = -1
    for k in range(w):
        last[:, k] = k - seen
        seen = np.where(dev[:, k] > 0, k, seen)
    f["weeks_since_dev"] = np.minimum(last, 104)
    hire = panel.agents["hire_date"].to_numpy(dtype="datetime64[D]")
    wk = np.asarray(panel.weeks.values, dtype="datetime64[D]")
    f["tenure_weeks"] = (wk[None, :] - hire[:, None]).astype(float) / 7.0
    pulse = pulse_latest(ds, panel)
    for c in PULSE_FEATURES:
        f[f"pulse__{c}"] = pulse[c]
    f["team_leavers_26w"] = _team_leave_rate(panel)
    for c in CATEGORICAL:
        codes = panel.agents[c].astype("category")
        f[f"cat__{c}"] = np.repeat(codes.cat.codes.to_numpy()[:, None], w, axis=1).astype(float)
    return f


def _team_leave_rate(panel: Panel) -> np.ndarray:
    wk = np.asarray(panel.weeks.values, dtype="datetime64[D]")
    end = panel.end_date.to_numpy(dtype="datetime64[D]")
    left = (panel.reason != "").to_numpy()
    col = np.searchsorted(wk, end, side="right") - 1
    events = np.zeros((len(end), len(wk)))
    ok = left & (col >= 0) & (col < len(wk))
    events[np.nonzero(ok)[0], col[ok]] = 1
    hire = panel.agents["hire_date"].to_numpy(dtype="datetime64[D]")
    active = (hire[:, None] <= wk[None, :]) & (end[:, None] > wk[None, :])
    team = panel.agents["team_code"].to_numpy()
    ev_t = pd.DataFrame(_window_sum(events, 26)).groupby(team).transform("sum").to_numpy()
    hc_t = pd.DataFrame(active.astype(float)).groupby(team).transform("sum").to_numpy()
    return ev_t / np.maximum(hc_t, 1.0)


def snapshots(ds: Dataset, panel: Panel, cube: dict, week_cols) -> pd.DataFrame:
    """Rows for agents active at the Monday of each listed week column, with labels."""
    wk = panel.weeks
    hire = panel.agents["hire_date"]
    frames = []
    for k in week_cols:
        s = wk[k]
        recent = panel.agents["last_perf"] >= s - pd.Timedelta(weeks=4)
        active = (hire <= s) & (panel.end_date > s) & recent
        idx = np.nonzero(active.to_numpy())[0]
        if not len(idx):
            continue
        row = {name: m[idx, k] for name, m in cube.items()}
        row["employee_id"] = panel.ids.to_numpy()[idx]
        row["week_col"] = k
        ends = panel.end_date.to_numpy()[idx]
        horizon = np.datetime64(s + pd.Timedelta(days=HORIZON_DAYS))
        left = (panel.reason.to_numpy()[idx] != "") & (ends <= horizon)
        row["label"] = left.astype(int)
        frames.append(pd.DataFrame(row))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


class NotEnoughHistory(ValueError):
    """Too few complete weeks for a time split with calibration and embargo."""


@dataclass
class RiskModel:
    """LightGBM booster + Platt calibration; `fit` returns self, learned state ends in _."""

    num_rounds: int = NUM_ROUNDS
    embargo_weeks: int = 13
    calib_weeks: int = 13
    step_weeks: int = 1
    booster_: lgb.Booster | None = None
    platt_: tuple[float, float] | None = None
    features_: list[str] = field(default_factory=list)
    categories_: dict[str, list[str]] = field(default_factory=dict)
    base_rate_: float | None = None

    def fit(self, ds: Dataset, *, panel: Panel | None = None, last_col: int | None = None):
        """Train on snapshots whose horizon is complete by the as-of date (or `last_col`)."""
        panel = panel or build_panel(ds)
        cube = feature_cube(ds, panel)
        cols = complete_columns(panel, last_col)
        calib = cols[-self.calib_weeks:]
        train = [k for k in cols if k <= calib[0] - self.embargo_weeks]
        if len(train) < 4:
            raise NotEnoughHistory("not enough history for a time-split risk model")
        self._fit_on(snapshots(ds, panel, cube, train[::self.step_weeks]),
                     snapshots(ds, panel, cube, calib), panel)
        return self

    def _fit_on(self, tr: pd.DataFrame, ca: pd.DataFrame, panel: Panel) -> None:
        self.features_ = [c for c in tr.columns if c not in ("employee_id", "week_col", "label")]
        self.categories_ = {c: sorted(panel.agents[c].astype("category").cat.categories)
                            for c in CATEGORICAL}
        cats = [f"cat__{c}" for c in CATEGORICAL]
        dtrain = lgb.Dataset(tr[self.features_], tr["label"], categorical_feature=cats,
                             free_raw_data=False)
        dcal = lgb.Dataset(ca[self.features_], ca["label"], categorical_feature=cats)
        params = dict(PARAMS, min_data_in_leaf=int(min(300, max(50, len(tr) // 40))))
        self.booster_ = lgb.train(params, dtrain, num_boost_round=self.num_rounds,
                                  valid_sets=[dcal],
                                  callbacks=[lgb.early_stopping(100, verbose=False)])
        self.booster_ = lgb.Booster(model_str=self.booster_.model_to_string(
            num_iteration=self.booster_.best_iteration or -1))
        raw = self.booster_.predict(ca[self.features_], raw_score=True)
        lr = LogisticRegression(C=1e4).fit(raw.reshape(-1, 1), ca["label"])
        self.platt_ = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
        self.base_rate_ = float(tr["label"].mean())

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        if self.booster_ is None or self.platt_ is None:
            raise RuntimeError("RiskModel is not fitted")
        raw = self.booster_.predict(x[self.features_], raw_score=True)
        a, b = self.platt_
        return 1.0 / (1.0 + np.exp(-(a * raw + b)))

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        c = self.booster_.predict(x[self.features_], pred_contrib=True)
        return pd.DataFrame(c[:, :-1] * self.platt_[0], columns=self.features_, index=x.index)

    # --- artifact -------------------------------------------------------------------
    def save(self, path: str | Path) -> str:
        """Write a JSON artifact; returns its sha256 (recorded like a registry entry)."""
        payload = {"model_version": MODEL_VERSION, "booster": self.booster_.model_to_string(),
                   "platt": list(self.platt_), "features": self.features_,
                   "categories": self.categories_, "base_rate": self.base_rate_}
        data = json.dumps(payload, sort_keys=True).encode()
        Path(path).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def load(cls, path: str | Path, *, sha256: str | None = None) -> RiskModel:
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and digest != sha256:
            raise ValueError(f"artifact {path} has sha256 {digest}, expected {sha256}")
        p = json.loads(data)
        m = cls()
        m.booster_ = lgb.Booster(model_str=p["booster"])
        m.platt_ = tuple(p["platt"])
        m.features_, m.categories_, m.base_rate_ = p["features"], p["categories"], p["base_rate"]
        return m


def complete_columns(panel: Panel, last_col: int | None = None) -> list[int]:
    """Week columns (from week 4 on) whose 91-day label horizon ends by the data's end."""
    last = len(panel.weeks) - 1 if last_col is None else last_col
    data_end = panel.weeks[last] + pd.Timedelta(days=7)
    return [k for k in range(4, last + 1)
            if panel.weeks[k] + pd.Timedelta(days=HORIZON_DAYS) <= data_end]


def evaluate(ds: Dataset, *, panel: Panel | None = None, test_weeks: int = 13,
             fairness_rule: fairness.Rule | None = None) -> dict:
    """Fit on earlier data, score the last complete `test_weeks` of snapshots (held out).
    With `fairness_rule`, also the same held-out figures per group of agents
    (`fairness.risk_report`) under "fairness"."""
    panel = panel or build_panel(ds)
    cols = complete_columns(panel)
    empty = {"roc_auc": None, "pr_auc": None, "base_rate": None, "brier": None,
             "n_test": 0, "note": "not enough history for a held-out evaluation"}
    if fairness_rule is not None:
        empty["fairness"] = fairness.risk_report(
            pd.DataFrame(columns=["employee_id", "label", "predicted"]),
            fairness.agent_groups(ds), fairness_rule)
    if len(cols) < test_weeks + 4:
        return empty
    test = cols[-test_weeks:]
    # train+calibration only on snapshots whose labels end before the test block starts
    try:
        model = RiskModel().fit(ds, panel=panel, last_col=test[0] - 1)
    except NotEnoughHistory:
        return empty
    te = snapshots(ds, panel, feature_cube(ds, panel), test)
    p = model.predict_proba(te)
    y = te["label"].to_numpy()
    out = {**score_metrics(y, p), "n_test": int(len(y)),
           "test_weeks": [str(panel.weeks[test[0]].date()), str(panel.weeks[test[-1]].date())]}
    if fairness_rule is not None:
        rows = pd.DataFrame({"employee_id": te["employee_id"], "label": y, "predicted": p})
        out["fairness"] = fairness.risk_report(rows, fairness.agent_groups(ds), fairness_rule)
    return out


def score_metrics(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict:
    both = len(np.unique(y)) == 2
    order = np.argsort(p)
    groups = np.array_split(order, bins)
    curve = [{"mean_predicted": float(p[g].mean()), "observed_rate": float(y[g].mean()),
              "n": int(len(g))} for g in groups if len(g)]
    return {"roc_auc": float(roc_auc_score(y, p)) if both else None,
            "pr_auc": float(average_precision_score(y, p)) if both else None,
            "base_rate": float(y.mean()), "brier": float(brier_score_loss(y, p)),
            "reliability": curve,
            "mean_abs_calibration_error": float(np.mean(
                [abs(c["mean_predicted"] - c["observed_rate"]) for c in curve]))}


# --- scoring and drivers -------------------------------------------------------------
def _sentence(feature: str, value: float, row: pd.Series) -> str | None:
    if feature.startswith("pulse__"):
        return None  # confidential: see module docstring
    if feature == "tenure_weeks":
        return ("Early in tenure: most leaving happens in the first months." if value < 26
                else "Tenure stage is one where leaving is more common here.")
    if feature in ("perf_4w", "perf_12w"):
        return "Recent performance is below the centre average." if value < 0 else None
    if feature == "perf_trend":
        return "Performance has dropped over the last weeks." if value < 0 else None
    if feature.startswith("metric__"):
        return f"Recent {feature[8:]} is worse than the centre average." if value < 0 else None
    if feature in ("dev_12w", "weeks_since_dev"):
        return ("No course or coaching session in the last 12 weeks."
                if row.get("dev_12w", 0) == 0 else None)
    if feature == "team_leavers_26w":
        return ("Several people have left this agent's team in the last six months."
                if value > 0 else None)
    if feature == "cat__employment_type":
        return "This employment type has higher leaving in this centre."
    if feature == "cat__work_arrangement":
        return "This work arrangement has higher leaving in this centre."
    if feature == "weeks_missing_4w":
        return "Few worked weeks recorded recently." if value > 0 else None
    return None


def drivers(model: RiskModel, x: pd.DataFrame, top: int = 3) -> list[list[str]]:
    contrib = model.contributions(x)
    out = []
    for i, (_, c) in enumerate(contrib.iterrows()):
        row = x.iloc[i]
        sentences: list[str] = []
        for feat in c.sort_values(ascending=False).index:
            if c[feat] <= 0.02 or len(sentences) >= top:
                break
            s = _sentence(feat, float(row[feat]) if pd.notna(row[feat]) else np.nan, row)
            if s and s not in sentences:
                sentences.append(s)
        out.append(sentences)
    return out


@dataclass(frozen=True)
class Suggestion:
    """A concrete development step for one agent, read by the caller from current data:
    their top recommendation (`source="recommendation"`: the gain model's expected change
    if there was a model, and the role it is on their path to) or the best-ranked item
    with a measurable benefit in the effectiveness report that they have not done
    (`source="effectiveness"`: its measured change in the composite)."""

    title: str
    source: str
    expected_gain: float | None = None
    path_role: str | None = None
    effect: float | None = None


GENERIC_ACTION = ("Suggested action: agree a development step in the next two weeks{example}; "
                  "recent development goes with lower leaving in this centre's data.")
# RiskScore.suggested_action holds 300 characters; with these caps every sentence fits.
TITLE_CHARS, ROLE_CHARS = 80, 50


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def suggestion_sentence(s: Suggestion | None, *, suggested_item: str | None = None) -> str:
    """The suggested action for a high-risk agent: what to start and why, in the words
    the portal uses for gains ("expected change in performance score", 8 weeks)."""
    if s is None:
        return GENERIC_ACTION.format(
            example=f" (for example {suggested_item})" if suggested_item else "")
    start = f"Suggested action: start “{_clip(s.title, TITLE_CHARS)}” this week. "
    if s.source == "recommendation":
        why = ("It is their top recommendation ("
               + (f"expected change in performance score {s.expected_gain:+.2f} over the "
                  "next 8 weeks)" if s.expected_gain is not None
                  else "ranked by their skill gaps; no gain estimate yet)"))
        path = f" and on their path to {_clip(s.path_role, ROLE_CHARS)}" if s.path_role else ""
        return f"{start}{why}{path}."
    return (f"{start}It has a measured benefit in this centre's data (change in "
            f"performance score {s.effect:+.2f} over the 8 weeks after, against matched "
            "agents).")


def score_agents(ds: Dataset, model: RiskModel | None = None, *, panel: Panel | None = None,
                 suggestions: Mapping[str, Suggestion] | None = None,
                 suggested_item: str | None = None, high_risk_factor: float = 2.0
                 ) -> pd.DataFrame:
    """risk_90d and drivers for every agent active at the as-of week. A high-risk agent's
    drivers end with a suggested action: their entry in `suggestions` (employee_id ->
    Suggestion), else the generic sentence (naming `suggested_item` as an example)."""
    panel = panel or build_panel(ds)
    model = model or RiskModel().fit(ds, panel=panel)
    cube = feature_cube(ds, panel)
    snap = snapshots(ds, panel, cube, [len(panel.weeks) - 1])
    if snap.empty:
        return pd.DataFrame(columns=["employee_id", "risk_90d", "drivers", "model_version"])
    risk = model.predict_proba(snap)
    texts = drivers(model, snap)
    high = risk >= high_risk_factor * (model.base_rate_ or 0.1)
    suggestions = suggestions or {}
    ids = snap["employee_id"].to_numpy()
    for i in np.nonzero(high)[0]:
        action = suggestion_sentence(suggestions.get(ids[i]), suggested_item=suggested_item)
        texts[i] = [*texts[i], action]
    return pd.DataFrame({"employee_id": snap["employee_id"], "risk_90d": risk,
                         "drivers": texts, "model_version": MODEL_VERSION})
