"""The gain model: what completing an item now adds to the composite, versus not.

Default learner ("x"): the treated half of an X-learner (also called an RA-learner).
  1. mu0(state) is fit on control agent-weeks (no exposure): the composite change that
     happens anyway, including the rebound after a bad week that leads react to.
  2. Each exposure gets an imputed effect D = y - mu0(state).
  3. tau(state, item features) is fit to D; campaign (randomised) rows get extra weight.
The gain of an item is tau itself, so tau's per-feature contributions are exactly the
with-item minus without-item contributions the reasons need.

Alternatives kept for the comparison in docs/recommender.md: "s", one model
f(state, item, treated) with gain = f(with) - f(without); "naive", tau fit to the raw
before/after change (what crediting training with regression to the mean looks like).

The interval comes from a small agent-clustered bootstrap of tau (computed only for the
rows that are shown) around the full-data point estimate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender.gain.composite import Standardiser
from recommender.gain.features import CATEGORICAL, ITEM_FEATURES
from recommender.gain.feedback import exposure_weights
from recommender.gain.tree_tables import Columns, TreeTables

FORMAT_VERSION = 1
DEFAULT_PARAMS: dict = {
    "learner": "x",
    "num_threads": 1,  # measured: 2 threads on 2 shared cores is 4x slower
    "seed": 0,
    "mu0_rounds": 300,
    "tau_rounds": 400,
    "learning_rate": 0.03,
    "num_leaves": 15,
    "tau_num_leaves": 4,   # shallow effect trees: TreeSHAP cost grows with leaves x depth^2;
    "tau_max_depth": 2,    # pairwise interactions (gap x kind) cost ~1 point of share
                           # against depth 3 on the simulator and make reasons 3x cheaper
    "min_data_in_leaf": 80,
    "lambda_l2": 10.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "campaign_weight": 3.0,
    "n_boot": 4,
    "interval_z": 1.645,
    "max_controls": 150_000,
    "prior_shrink": None,  # None: empirical Bayes, noise variance / between-item variance
    "prior_folds": 5,
    "prior": "offset",  # "offset" | "feature" | "none": how item identity enters
}


def lgb_params(p: dict, seed: int, *, tau: bool = False) -> dict:
    shape = ({"num_leaves": p["tau_num_leaves"], "max_depth": p["tau_max_depth"]} if tau
             else {"num_leaves": p["num_leaves"]})
    return shape | {
        "objective": "regression", "verbosity": -1, "deterministic": True,
        "force_col_wise": True, "num_threads": int(p["num_threads"]), "seed": seed,
        "bagging_seed": seed, "feature_fraction_seed": seed, "data_random_seed": seed,
        "learning_rate": p["learning_rate"],
        "min_data_in_leaf": p["min_data_in_leaf"], "lambda_l2": p["lambda_l2"],
        "feature_fraction": p["feature_fraction"], "bagging_fraction": p["bagging_fraction"],
        "bagging_freq": 1, "max_cat_to_onehot": 8,
    }


def _fit(x: pd.DataFrame, y: np.ndarray, w: np.ndarray | None, rounds: int,
         params: dict) -> lgb.Booster:
    cats = [c for c in x.columns if c in CATEGORICAL]
    data = lgb.Dataset(x, label=y, weight=w, categorical_feature=cats,
                       free_raw_data=True, params={"verbosity": -1})
    return lgb.train(params, data, num_boost_round=rounds)


def _propensity(rows) -> np.ndarray:
    if rows.propensity is None:
        return np.full(rows.n_treated, np.nan)
    return rows.propensity


def _prior_table(d: np.ndarray, w: np.ndarray, codes: np.ndarray, m: float
                 ) -> dict[str, tuple[float, float]]:
    frame = pd.DataFrame({"c": codes, "wd": w * d, "w": w})
    agg = frame.groupby("c")[["wd", "w"]].sum()
    gain = agg["wd"] / (agg["w"] + m)
    n = frame.groupby("c").size()
    return {c: (float(gain[c]), float(n[c])) for c in agg.index}


def _eb_shrink(d: np.ndarray, codes: np.ndarray) -> float:
    """Pseudo-count m = within-item variance / between-item variance (method of
    moments), so an item's prior moves off 0 only as fast as its evidence allows."""
    g = pd.DataFrame({"c": codes, "d": d}).groupby("c")["d"].agg(["mean", "var", "size"])
    g = g[g["size"] >= 2]
    if len(g) < 3:
        return 100.0
    noise = float(g["var"].mean())
    between = float(g["mean"].var() - (g["var"] / g["size"]).mean())
    return float(np.clip(noise / max(between, 1e-9), 5.0, 500.0))


@dataclass
class GainModel:
    """Fitted gain model. Construct with `fit`; learned state ends in `_`."""

    params: dict = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    standardiser_: Standardiser | None = None
    state_names_: list[str] = field(default_factory=list)
    mu0_: lgb.Booster | None = None
    tau_: lgb.Booster | None = None
    boot_: list[lgb.Booster] = field(default_factory=list)
    window_: tuple[str, str] = ("", "")
    item_support_: dict[str, int] = field(default_factory=dict)
    item_prior_: dict[str, list[float]] = field(default_factory=dict)
    item_offset_: dict[str, float] = field(default_factory=dict)
    item_uptake_: dict[str, float] = field(default_factory=dict)  # gain/feedback.py
    metrics_: dict[str, float] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return list(self.tau_.feature_name()) if self.tau_ is not None else []

    @property
    def learner(self) -> str:
        return self.params["learner"]

    def fit(self, rows, standardiser: Standardiser, *, seed: int) -> GainModel:
        self.__dict__.pop("_tables_cache", None)
        p = self.params
        self.standardiser_ = standardiser
        self.state_names_ = list(rows.state.columns)
        t = rows.treated
        xt = pd.concat([rows.state[t].reset_index(drop=True), rows.items], axis=1)
        wt = exposure_weights(rows.campaign, _propensity(rows), p["campaign_weight"])
        self.mu0_ = _fit(rows.state[~t], rows.y[~t], None, p["mu0_rounds"],
                         lgb_params(p, seed))
        d = rows.y[t] - self.mu0_.predict(rows.state[t])
        if self.learner == "naive":  # for the comparison only: before/after, no controls
            d = rows.y[t].copy()
        xt = self._with_prior(xt, d, wt, rows.item_code, rows.agent[t])
        if self.learner == "s":
            self.mu0_ = None  # used only to impute effects for the item prior
            xc = pd.concat([rows.state[~t].reset_index(drop=True),
                            pd.DataFrame(np.nan, index=range((~t).sum()),
                                         columns=list(ITEM_FEATURES))], axis=1)
            x = pd.concat([xt, xc], ignore_index=True)
            x["treated"] = np.concatenate([np.ones(t.sum()), np.zeros((~t).sum())])
            w = np.concatenate([wt, np.ones((~t).sum())])
            y = np.concatenate([rows.y[t], rows.y[~t]])
            self.tau_ = _fit(x, y, w, p["tau_rounds"], lgb_params(p, seed, tau=True))
            self.boot_ = []
            self._fit_offset(d - self.predict_gain(xt), wt, rows.item_code)
            return self
        self.tau_ = _fit(xt, d, wt, p["tau_rounds"], lgb_params(p, seed + 1, tau=True))
        self._fit_offset(d - self.tau_.predict(xt.to_numpy(float)), wt, rows.item_code)
        self.boot_ = []
        agents = np.unique(rows.agent[t])
        for b in range(int(p["n_boot"])):
            rng = np.random.default_rng(seed * 1000 + b)
            pick = rng.choice(agents, len(agents), replace=True)
            counts = pd.Series(pick).value_counts()
            mult = counts.reindex(rows.agent[t]).fillna(0).to_numpy()
            keep = mult > 0
            self.boot_.append(_fit(xt[keep], d[keep], (wt * mult)[keep], p["tau_rounds"],
                                   lgb_params(p, seed + 2 + b, tau=True)))
        return self

    def _with_prior(self, xt: pd.DataFrame, d: np.ndarray, w: np.ndarray,
                    codes: np.ndarray, agents: np.ndarray) -> pd.DataFrame:
        """Item prior = shrunken weighted mean imputed effect per item. Training rows get
        it out-of-fold (folds by agent) so a row never sees its own outcome."""
        m = self.params["prior_shrink"]
        m = float(m) if m is not None else _eb_shrink(d, codes)
        self.prior_shrink_ = m
        table = _prior_table(d, w, codes, m)
        self.item_prior_ = {c: [float(g), float(n)] for c, (g, n) in sorted(table.items())}
        fold = agents % int(self.params["prior_folds"])
        gain, n = np.full(len(d), np.nan), np.full(len(d), np.nan)
        for f in np.unique(fold):
            inside = fold == f
            oof = _prior_table(d[~inside], w[~inside], codes[~inside], m)
            got = [oof.get(c, (np.nan, np.nan)) for c in codes[inside]]
            gain[inside] = [g for g, _ in got]
            n[inside] = [k for _, k in got]
        if self.params.get("prior") != "feature":
            self.item_prior_ = {}
            gain[:], n[:] = np.nan, np.nan
        xt = xt.copy()
        xt["item_prior_gain"], xt["item_prior_n"] = gain, n
        return xt

    def _fit_offset(self, resid: np.ndarray, w: np.ndarray, codes: np.ndarray) -> None:
        """Per-item random effect on top of the pooled model: the item's weighted mean
        residual, shrunk by the empirical-Bayes pseudo-count. Little data or no real
        item-specific effect -> offsets near 0, the pooled (skill/format) model rules."""
        self.item_offset_ = {}
        if self.params.get("prior") != "offset":
            return
        m = _eb_shrink(resid, codes)
        self.offset_shrink_ = m
        table = _prior_table(resid, w, codes, m)
        self.item_offset_ = {c: float(g) for c, (g, _) in sorted(table.items())}

    def offsets(self, codes: np.ndarray) -> np.ndarray:
        return pd.Series(self.item_offset_, dtype=float).reindex(codes).fillna(0.0) \
            .to_numpy()

    def fill_prior(self, x: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Write the item prior columns of a feature matrix from the fitted table."""
        n_state = len(self.state_names_)
        col = n_state + list(ITEM_FEATURES).index("item_prior_gain")
        table = pd.DataFrame.from_dict(self.item_prior_, orient="index",
                                       columns=["g", "n"])
        got = table.reindex(pd.Index(codes)).to_numpy(float)
        x[:, col], x[:, col + 1] = got[:, 0], got[:, 1]
        return x

    def _check(self) -> None:
        if self.tau_ is None:
            raise RuntimeError("GainModel is not fitted")

    def _design(self, x: pd.DataFrame | np.ndarray, treated: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.learner == "s":
            x = np.column_stack([x, np.full(len(x), treated)])
        return x

    def _without(self, x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=float, copy=True)
        n_state = len(self.state_names_)
        x[:, n_state:] = np.nan
        return x

    def predict_baseline(self, state: pd.DataFrame) -> np.ndarray:
        """Expected composite change without any exposure (mu0; S: f(x, none))."""
        self._check()
        if self.learner == "s":
            x = np.column_stack([state.to_numpy(float),
                                 np.full((len(state), len(ITEM_FEATURES)), np.nan)])
            return self.tau_.predict(self._design(x, 0.0))
        return self.mu0_.predict(state.to_numpy(float))

    def predict_gain(self, x: pd.DataFrame | np.ndarray, codes: np.ndarray | None = None
                     ) -> np.ndarray:
        """Expected composite gain of each (state, item) row versus not taking it;
        with item codes, the item's own offset is added (unknown items: 0)."""
        self._check()
        if self.learner == "s":
            gain = (self._tau(self._design(x, 1.0))
                    - self._tau(self._design(self._without(x), 0.0)))
        else:
            gain = self._tau(np.asarray(x, dtype=float))
        return gain if codes is None else gain + self.offsets(codes)

    @property
    def explain_names(self) -> list[str]:
        return [*self.feature_names, "item_offset"]

    def _tables(self) -> tuple[TreeTables | None, list[TreeTables] | None]:
        """The effect trees as lookup tables (tree_tables.py), built once per model:
        the same numbers as LightGBM's predict and pred_contrib, at about a third of
        the predict's cost and a fiftieth of pred_contrib's on these shallow trees.
        None where a tree is too deep for tables (LightGBM's own calls are used)."""
        if not hasattr(self, "_tables_cache"):
            boot = [TreeTables.from_booster(b, shap=False) for b in self.boot_]
            self._tables_cache = (TreeTables.from_booster(self.tau_),
                                  None if any(b is None for b in boot) else boot)
        return self._tables_cache

    def _tau(self, x: np.ndarray) -> np.ndarray:
        tables, _ = self._tables()
        return self.tau_.predict(x) if tables is None else tables.predict(Columns(x))

    def _contrib(self, x: np.ndarray) -> np.ndarray:
        tables, _ = self._tables()
        if tables is None:
            return self.tau_.predict(x, pred_contrib=True)
        return tables.contributions(Columns(x))

    def contributions(self, x: pd.DataFrame | np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Per-feature contribution to the gain, with − without; columns explain_names
        (the last is the item's own offset)."""
        self._check()
        with_item = self._contrib(self._design(x, 1.0))
        if self.learner == "s":
            without = self._contrib(self._design(self._without(x), 0.0))
            contrib = (with_item - without)[:, :-1]  # the bias cancels
        else:
            contrib = with_item[:, :-1]  # tau's bias is the average effect, not a reason
        return np.column_stack([contrib, self.offsets(codes)])

    def interval(self, x: pd.DataFrame | np.ndarray, gain: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        if not self.boot_:
            return gain - np.nan, gain + np.nan
        x = np.asarray(x, dtype=float)
        _, boot = self._tables()
        if boot is None:
            draws = np.column_stack([b.predict(x) for b in self.boot_])
        else:
            cols = Columns(x)
            draws = np.column_stack([b.predict(cols) for b in boot])
        # bootstrap spread (estimation variance) plus the item-level error measured on
        # the held-out period (see api._item_level), which the bootstrap cannot see
        extra = float(self.params.get("interval_extra_sd", 0.0))
        sd = np.sqrt(draws.var(axis=1, ddof=1) + extra**2)
        half = float(self.params["interval_z"]) * sd
        return gain - half, gain + half

    # -- artifact ------------------------------------------------------------------
    def to_json(self) -> str:
        self._check()
        doc = {
            "format": FORMAT_VERSION, "params": self.params,
            "standardiser": self.standardiser_.to_dict(), "state_names": self.state_names_,
            "mu0": self.mu0_.model_to_string() if self.mu0_ is not None else None,
            "tau": self.tau_.model_to_string(),
            "boot": [b.model_to_string() for b in self.boot_],
            "window": list(self.window_), "item_support": self.item_support_,
            "item_prior": self.item_prior_, "item_offset": self.item_offset_,
            "item_uptake": self.item_uptake_, "metrics": self.metrics_,
        }
        return json.dumps(doc, sort_keys=True)

    @property
    def version(self) -> str:
        """sha256 of the artifact bytes: what save() returns, without writing."""
        if not getattr(self, "_version", None):
            self._version = hashlib.sha256(self.to_json().encode()).hexdigest()
        return self._version

    def save(self, path: str | Path) -> str:
        data = self.to_json().encode()
        Path(path).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def load(cls, path: str | Path) -> GainModel:
        doc = json.loads(Path(path).read_text())
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported gain model format {doc.get('format')}")

        def booster(text: str | None) -> lgb.Booster | None:
            return lgb.Booster(model_str=text) if text else None
        return cls(
            params=doc["params"], standardiser_=Standardiser.from_dict(doc["standardiser"]),
            state_names_=doc["state_names"], mu0_=booster(doc["mu0"]),
            tau_=booster(doc["tau"]), boot_=[booster(b) for b in doc["boot"]],
            window_=tuple(doc["window"]), item_support_=doc["item_support"],
            item_prior_=doc["item_prior"], item_offset_=doc["item_offset"],
            item_uptake_=doc.get("item_uptake", {}), metrics_=doc["metrics"],
        )
