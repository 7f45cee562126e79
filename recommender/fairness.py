"""Fairness: how well each model does for each group of agents on its held-out period,
and which gaps are big and certain enough to be worth a person's attention.

Groupings: work arrangement, employment type and site (through the agent's team), as
recorded for the agent at the as-of date. Every figure is an aggregate over a group;
a group of fewer than `SUPPRESS_BELOW` agents is reported as suppressed, with no
number at all (not even its size), like any other aggregate about people here.

A group's figure is compared with the same figure over everyone ("overall"). A gap is
flagged only when all three hold (the rule, `Rule`):
  1. it exceeds the measure's threshold (in the wrong direction for one-sided measures);
  2. the group has at least `min_agents` agents (small groups are shown, never flagged);
  3. the 95% confidence interval of the group's figure excludes the overall figure, so
     noise alone does not raise a flag. Intervals treat each agent as one cluster:
     held-out rows of the same person are not independent. A risk group with fewer
     than 5 leavers or 5 stayers gets no interval (a normal one would be over-confident)
     and so no flag; an item-level correlation needs 5 items with 10 rows each.
A flag says "look here", not "the model is unfair": the gap may come from the data
(e.g. a site whose outcomes are recorded differently) rather than from the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from recommender.dataset import Dataset
from recommender.suppression import MIN_GROUP

GROUPINGS = ("work_arrangement", "employment_type", "site")
SUPPRESS_BELOW = MIN_GROUP   # agents: the same floor as every other group aggregate
NOT_RECORDED = "not recorded"
ITEM_MIN_ROWS = 10           # held-out rows an item needs for the item-level correlation,
MIN_ITEMS = 5                # as in the promotion gate; fewer items: not measured
MIN_CLASS_AGENTS = 5         # leavers and stayers each, for a group's ROC-AUC and
                             # calibration interval (so for a calibration flag)
ECE_BINS = 10
Z95 = 1.959964


@dataclass(frozen=True)
class Rule:
    """Thresholds (absolute gaps from the overall figure) and the size floor for flags."""

    gain_bias_gap: float = 0.05          # composite units: mean expected gain - effect
    gain_corr_gap: float = 0.30          # item-level correlation below overall by more
    risk_calibration_gap: float = 0.05   # probability: mean predicted - observed rate
    min_agents: int = 20

    def __post_init__(self) -> None:
        if min(self.gain_bias_gap, self.gain_corr_gap, self.risk_calibration_gap) <= 0:
            raise ValueError("fairness thresholds must be positive")
        if self.min_agents < SUPPRESS_BELOW:
            raise ValueError(f"min_agents must be at least {SUPPRESS_BELOW}")


@dataclass(frozen=True)
class Measure:
    key: str            # the figure in a group's row; its interval is f"{key}_ci"
    label: str
    threshold: str      # the Rule field holding its threshold
    lower_is_worse: bool = False  # one-sided: only a shortfall is flagged
    scale: float = 1.0            # for the flag's sentence only
    unit: str = ""
    digits: int = 3


GAIN_MEASURES = (
    Measure("gain_bias", "gain bias (expected gain minus measured effect)", "gain_bias_gap"),
    Measure("item_corr", "item-level correlation of expected gain and measured effect",
            "gain_corr_gap", lower_is_worse=True, digits=2),
)
RISK_MEASURES = (
    Measure("calibration_gap", "calibration gap (mean predicted minus observed leave rate)",
            "risk_calibration_gap", scale=100.0, unit=" points", digits=1),
)


def agent_groups(ds: Dataset) -> pd.DataFrame:
    """employee_id and each grouping's value (site through the agent's team)."""
    sites = ds.teams[["team_code", "site"]].drop_duplicates("team_code")
    out = ds.agents[["employee_id", "team_code", "work_arrangement", "employment_type"]] \
        .merge(sites, on="team_code", how="left")
    out = out.drop(columns="team_code").drop_duplicates("employee_id")
    for g in GROUPINGS:
        out[g] = out[g].where(out[g].notna() & (out[g].astype(str) != ""), NOT_RECORDED) \
            .astype(str)
    return out.reset_index(drop=True)


def gain_report(heldout: pd.DataFrame, groups: pd.DataFrame, rule: Rule) -> dict:
    """Per group of the gain model's held-out exposures (employee_id, item_code,
    expected_gain, effect = y - mu0): bias and the gate's item-level correlation."""
    return _report(heldout, groups, rule, gain_figures, GAIN_MEASURES)


def risk_report(heldout: pd.DataFrame, groups: pd.DataFrame, rule: Rule) -> dict:
    """Per group of the risk model's held-out snapshots (employee_id, label, predicted):
    calibration-in-the-large, expected calibration error and ROC-AUC."""
    return _report(heldout, groups, rule, risk_figures, RISK_MEASURES)


def gain_figures(rows: pd.DataFrame) -> dict:
    bias, ci = clustered_mean(rows["expected_gain"] - rows["effect"], rows["employee_id"])
    items = rows.groupby("item_code").agg(g=("expected_gain", "mean"), d=("effect", "mean"),
                                          n=("effect", "size"))
    items = items[items["n"] >= ITEM_MIN_ROWS]
    corr, corr_ci = _item_corr(items["g"].to_numpy(float), items["d"].to_numpy(float))
    return {"n_agents": int(rows["employee_id"].nunique()), "n_rows": int(len(rows)),
            "mean_expected_gain": _mean(rows["expected_gain"]),
            "mean_effect": _mean(rows["effect"]),
            "gain_bias": bias, "gain_bias_ci": ci,
            "n_items": int(len(items)), "item_corr": corr, "item_corr_ci": corr_ci}


def risk_figures(rows: pd.DataFrame) -> dict:
    y = rows["label"].to_numpy(float)
    p = rows["predicted"].to_numpy(float)
    gap, ci = clustered_mean(rows["predicted"] - rows["label"], rows["employee_id"])
    leavers = rows.loc[rows["label"] == 1, "employee_id"].nunique()
    stayers = rows["employee_id"].nunique() - leavers
    enough = min(leavers, stayers) >= MIN_CLASS_AGENTS
    auc = float(roc_auc_score(y, p)) if enough and len(np.unique(y)) == 2 else None
    if not enough:
        ci = None  # a normal interval on a handful of leavers is over-confident: no flag
    return {"n_agents": int(rows["employee_id"].nunique()), "n_snapshots": int(len(rows)),
            "events": int(leavers), "mean_predicted": _mean(rows["predicted"]),
            "observed_rate": _mean(rows["label"]), "calibration_gap": gap,
            "calibration_gap_ci": ci, "ece": expected_calibration_error(y, p),
            "roc_auc": auc}


def clustered_mean(values: pd.Series, clusters: pd.Series
                   ) -> tuple[float | None, list[float] | None]:
    """Mean and 95% interval with a cluster-robust (by agent) standard error:
    sqrt(G/(G-1) * sum over the G clusters of (cluster's sum of deviations)^2) / n."""
    v = pd.Series(np.asarray(values, dtype=float))
    ok = v.notna().to_numpy()
    v, c = v[ok].to_numpy(), np.asarray(clusters)[ok]
    if not len(v):
        return None, None
    mean = float(v.mean())
    per = pd.Series(v - mean).groupby(c).sum().to_numpy()
    g = len(per)
    if g < 2:
        return mean, None
    se = float(np.sqrt((per ** 2).sum() * g / (g - 1)) / len(v))
    return mean, [mean - Z95 * se, mean + Z95 * se]


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float | None:
    """Count-weighted mean |mean predicted - observed| over bins at the deciles of p.
    Tied predictions share a bin (an arbitrary split of ties would invent error)."""
    if not len(y):
        return None
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    b = np.searchsorted(edges[1:-1], p, side="right")
    frame = pd.DataFrame({"b": b, "p": p, "y": y}).groupby("b").agg(
        p=("p", "mean"), y=("y", "mean"), n=("p", "size"))
    return float((frame["n"] * (frame["p"] - frame["y"]).abs()).sum() / len(y))


def _item_corr(g: np.ndarray, d: np.ndarray) -> tuple[float | None, list[float] | None]:
    """Pearson correlation over items with a Fisher-z 95% interval; None below MIN_ITEMS."""
    if len(g) < MIN_ITEMS or np.std(g) == 0 or np.std(d) == 0:
        return None, None
    r = float(np.corrcoef(g, d)[0, 1])
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), Z95 / np.sqrt(len(g) - 3)
    return r, [float(np.tanh(z - half)), float(np.tanh(z + half))]


def _mean(values: pd.Series) -> float | None:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return float(v.mean()) if len(v) else None


# -- the report ---------------------------------------------------------------------------

def _report(rows: pd.DataFrame, groups: pd.DataFrame, rule: Rule,
            figures: Callable[[pd.DataFrame], dict], measures: tuple[Measure, ...]) -> dict:
    out = {"rule": {**asdict(rule), "suppress_below": SUPPRESS_BELOW},
           "measures": {m.key: {"label": m.label, "threshold": getattr(rule, m.threshold),
                                "lower_is_worse": m.lower_is_worse} for m in measures},
           "overall": None, "groupings": {}, "flags": []}
    if rows.empty or rows["employee_id"].nunique() < SUPPRESS_BELOW:
        out["note"] = "no held-out rows to break down" if rows.empty \
            else f"fewer than {SUPPRESS_BELOW} agents held out: suppressed"
        return out
    overall = figures(rows)
    out["overall"] = overall
    known = groups.drop_duplicates("employee_id").set_index("employee_id")
    for grouping in GROUPINGS:
        value = known[grouping].reindex(rows["employee_id"]).fillna(NOT_RECORDED).to_numpy() \
            if grouping in known else np.full(len(rows), NOT_RECORDED, dtype=object)
        entries = []
        for name, part in rows.groupby(value, sort=True):
            entry = _group_entry(str(name), part, overall, rule, figures, measures)
            entries.append(entry)
            out["flags"].extend({"grouping": grouping, **f} for f in entry.pop("_flags"))
        out["groupings"][grouping] = entries
    return out


def _group_entry(name: str, part: pd.DataFrame, overall: dict, rule: Rule,
                 figures: Callable[[pd.DataFrame], dict], measures: tuple[Measure, ...]
                 ) -> dict:
    if part["employee_id"].nunique() < SUPPRESS_BELOW:
        return {"group": name, "suppressed": True, "flagged": [], "_flags": []}
    fig = figures(part)
    gaps, flags = {}, []
    for m in measures:
        value, base = fig.get(m.key), overall.get(m.key)
        if value is None or base is None:
            continue
        gaps[m.key] = value - base
        if _is_flagged(m, value, base, fig.get(f"{m.key}_ci"), fig["n_agents"], rule):
            flags.append({"group": name, "measure": m.key, "value": value,
                          "overall": base, "gap": value - base,
                          "threshold": getattr(rule, m.threshold),
                          "text": _flag_text(name, m, value, base)})
    return {"group": name, "suppressed": False, **fig, "gaps": gaps,
            "flagged": [f["measure"] for f in flags], "_flags": flags}


def _is_flagged(m: Measure, value: float, base: float, ci: list[float] | None,
                n_agents: int, rule: Rule) -> bool:
    gap = value - base
    size = -gap if m.lower_is_worse else abs(gap)
    certain = ci is not None and (ci[0] > base or ci[1] < base)
    return size > getattr(rule, m.threshold) and n_agents >= rule.min_agents and certain


def _flag_text(group: str, m: Measure, value: float, base: float) -> str:
    v, b = value * m.scale, base * m.scale
    return f"{group}: {m.label} {v:+.{m.digits}f}{m.unit} against {b:+.{m.digits}f} overall."


def flag_summary(report: dict | None) -> str:
    """One sentence for a model's decision text."""
    if not report or report.get("overall") is None:
        return "Fairness: not measured (" + ((report or {}).get("note") or "no report") + ")."
    flags = report["flags"]
    if not flags:
        return "Fairness: no gap between groups over the threshold."
    named = "; ".join(f"{f['grouping'].replace('_', ' ')} {f['text']}" for f in flags)
    return (f"Fairness: {len(flags)} gap{'s' if len(flags) != 1 else ''} flagged "
            f"({named.rstrip('.')}). Flags inform; they do not block promotion.")
