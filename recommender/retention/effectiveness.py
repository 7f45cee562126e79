"""Effect of each learning item and each coach on the composite and on each metric.

Staggered adoption and assignment after a dip break simple before/after comparisons, so
each treated agent-week is compared with not-yet-treated agents *in the same calendar
week* whose history looks most alike (nearest neighbours on the 4 pre-week levels, the
week's own level, the agent's usual level before that, development activity, tenure;
inside the same tenure band where it has enough agents). Effect of one treatment =
(mean of the 8 weeks after − mean of the 4 weeks before) for the treated agent minus the
same for its matched controls: a Callaway–Sant'Anna-style group-time comparison with
matching on the pre-trajectory. Matches are never exact, and the gap left matters most
where assignment follows a dip (the rebound) or tenure (the learning curve), so each
difference is bias-corrected by a within-week regression of the change on the matched
covariates (Abadie & Imbens 2011).
Items: Benjamini–Hochberg q-values across items, listed in evidence tiers (measurably
positive, no measurable effect, measurably negative) and by shrunk estimate inside each.
Coaches: empirical-Bayes shrinkage toward the mean of coaches, since most coaches have few
coachees.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from recommender.dataset import Dataset
from recommender.retention.panel import (
    Panel,
    build_panel,
    development_events,
    week_start,
)
from recommender.suppression import MIN_GROUP

PRE, POST, K_CONTROLS = 4, 8, 5
DEV_WEEKS, ACTIVITY_WEIGHT, TENURE_WEIGHT = 26, 4.0, 4.0
RECENT_WEEKS = 4  # items of the last weeks are still ramping up during the post weeks
USUAL_WEEKS = 8  # the weeks before the pre-window: the agent's usual level
# New hires improve fastest, along a curve a log-tenure distance misses: a treated agent
# is matched inside its own tenure band whenever the band has enough controls that week.
TENURE_BANDS = (8, 13, 26, 52)  # weeks
BAND_PENALTY = 100.0
MIN_FIT_ROWS = 50  # fewer control agent-weeks than this: no regression adjustment
EVIDENCE_TIERS = ("positive", "none", "negative")  # the effectiveness list's order


def _window_means(m: np.ndarray):
    """pre/post means and valid flags for every (agent, week) as a treatment week."""
    n, w = m.shape
    pre = np.full((n, w), np.nan)
    post = np.full((n, w), np.nan)
    pre_traj = np.full((n, w, PRE), np.nan)
    for t in range(PRE, w - 1):
        block = m[:, t - PRE:t]
        after = m[:, t + 1:t + 1 + POST]
        ok = (np.sum(~np.isnan(block), axis=1) >= PRE - 1) & (
            np.sum(~np.isnan(after), axis=1) >= min(5, after.shape[1]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pre[ok, t] = np.nanmean(block[ok], axis=1)
            post[ok, t] = np.nanmean(after[ok], axis=1)
        filled = np.where(np.isnan(block), pre[:, t:t + 1], block)
        pre_traj[:, t] = filled
    return pre, post, pre_traj


def _history(m: np.ndarray, pre: np.ndarray, traj: np.ndarray) -> np.ndarray:
    """What is known of one outcome at each treatment week: the 4 pre-week levels, the
    week's own level and the agent's usual level before that (mean of the USUAL_WEEKS
    before the pre-window, with a flag where fewer than 2 of them exist, e.g. new hires).
    A lead reacts to a week that is bad *for that agent*; how far it rebounds depends on
    the usual level, which the 4 pre-weeks (that contain the dip) estimate poorly."""
    n, w = m.shape
    vals, ok = np.nan_to_num(m), (~np.isnan(m)).astype(float)
    cv = np.concatenate([np.zeros((n, 1)), np.cumsum(vals, axis=1)], axis=1)
    co = np.concatenate([np.zeros((n, 1)), np.cumsum(ok, axis=1)], axis=1)
    hi = np.clip(np.arange(w) - PRE, 0, None)
    lo = np.clip(hi - USUAL_WEEKS, 0, None)
    count = co[:, hi] - co[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = np.where(count >= 2, (cv[:, hi] - cv[:, lo]) / np.maximum(count, 1), pre)
    now = np.where(np.isnan(m), pre, m)
    return np.concatenate([traj, now[..., None], usual[..., None],
                           (count < 2).astype(float)[..., None]], axis=2)


def _within_week_slopes(y: np.ndarray, x: np.ndarray, week: np.ndarray) -> np.ndarray:
    """OLS slopes of y on x with calendar-week fixed effects (both demeaned per week)."""
    size = np.bincount(week).astype(float)
    size[size == 0] = 1
    y = y - (np.bincount(week, y) / size)[week]
    x = x - np.stack([np.bincount(week, c, minlength=len(size)) for c in x.T], 1)[week] \
        / size[week, None]
    # normal equations: a few dozen columns, tens of thousands of rows; lstsq on the
    # small Gram matrix still copes with collinear columns (e.g. band and usual-missing)
    return np.linalg.lstsq(x.T @ x, x.T @ y, rcond=None)[0]


def _later(counts: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Development in the POST weeks after each column, each event weighted by the post
    weeks left after it (one in the last week can barely show in the post mean)."""
    out = np.zeros((len(counts), len(cols)))
    for k in range(1, POST + 1):
        ahead = cols + k
        inside = ahead < counts.shape[1]
        out[:, inside] += counts[:, ahead[inside]] * (POST - k) / POST
    return out


def reactive_counts(panel: Panel, events: pd.DataFrame) -> np.ndarray:
    """Per agent and week (panel.dev_counts' grid): completions a lead assigned and
    coaching sessions, the development that answers a bad week."""
    out = np.zeros(panel.dev_counts.shape)
    if events.empty:
        return out
    ev = _events_with_cols(panel, events)
    ev = ev[(ev["source"] == "coaching") | (ev["assigned_by"] == "lead")]
    cols = ev["col"].to_numpy() + panel.dev_offset
    keep = (cols >= 0) & (cols < out.shape[1])
    np.add.at(out, (ev["row"].to_numpy()[keep], cols[keep]), 1.0)
    return out


class Matcher:
    """Precomputed windows for the composite and each metric of one panel."""

    def __init__(self, panel: Panel, *, reactive: np.ndarray | None = None,
                 adjust: bool = True) -> None:
        """`reactive`: the part of `panel.dev_counts` leads started (see reactive_counts)."""
        self.panel = panel
        self.adjust = adjust  # False: plain matching, kept to show its bias in tests
        self.outcomes = {"composite": panel.composite, **panel.metric_z}
        self.windows = {k: _window_means(v) for k, v in self.outcomes.items()}
        pre, post, _ = self.windows["composite"]
        self.valid = ~np.isnan(pre) & ~np.isnan(post)
        # Learners who take one item take others: match on recent development activity
        # too, or every popular self-chosen item inherits the effect of the others.
        counts = panel.dev_counts
        c = np.concatenate([np.zeros((len(counts), 1)), np.cumsum(counts, axis=1)], axis=1)
        cols = np.arange(len(panel.weeks)) + panel.dev_offset
        self.activity = np.log1p(c[:, cols] - c[:, np.clip(cols - DEV_WEEKS, 0, None)])
        # ... and on the last few weeks' development: its effect is still building up in
        # the weeks after, which an item taken now would otherwise be credited with
        self.recent = np.log1p(c[:, cols] - c[:, np.clip(cols - RECENT_WEEKS, 0, None)])
        # ... and, in the adjustment, on what the agent went on to complete in the post
        # weeks: whoever completes something this week is a keener learner than controls
        # with the same past, and keeps learning (on the simulator the treated completed
        # ~0.5 more items in their post weeks than their controls and were on a steeper
        # path before and after). Without it every popular item inherits part of the
        # effect of the next items its takers choose. Split by who started it: what leads
        # hand out and coaching sessions follow a bad week inside the post weeks (so go
        # with a lower post mean whatever they do), what agents choose does not.
        reactive = np.zeros(counts.shape) if reactive is None else reactive
        self.later = np.stack([_later(counts - reactive, cols), _later(reactive, cols)], axis=2)
        self.history = {k: _history(v, *self.windows[k][::2])
                        for k, v in self.outcomes.items()}
        # ... and on tenure: new hires improve fastest whatever they take
        hire = panel.agents["hire_date"].to_numpy(dtype="datetime64[D]")
        wk = np.asarray(panel.weeks.values, dtype="datetime64[D]")
        weeks_in = np.maximum((wk[None, :] - hire[:, None]).astype(float), 0) / 7
        self.tenure = np.log1p(weeks_in)
        self.band = np.searchsorted(np.asarray(TENURE_BANDS), weeks_in, side="right")
        bands = np.stack([self.band == b for b in range(len(TENURE_BANDS))], axis=2)
        # Each metric's own recent level too, not only their weighted sum: they move for
        # different reasons (a stressed week shows in adherence more than in QA), and who
        # enrols in a week depends on how that week is going.
        metrics = [h[..., k] for name, h in self.history.items() if name != "composite"
                   for k in (PRE, PRE + 1)]  # the treatment week's level, the usual level
        metrics = [np.nan_to_num(m) for m in metrics]  # a metric not reported: its mean
        self.common = np.concatenate([self.activity[..., None], self.recent[..., None],
                                      self.later,
                                      self.tenure[..., None], bands.astype(float),
                                      *(m[..., None] for m in metrics)], axis=2)
        self.slopes = self._slopes() if adjust else dict.fromkeys(self.windows)

    def _slopes(self) -> dict[str, np.ndarray | None]:
        """Bias correction of the matches (Abadie–Imbens 2011): slopes of each outcome's
        change on what the matching looks at, within calendar weeks, fitted on the agent-
        weeks without a completion or session that week (a treatment week carries its
        item's effect). Nearest neighbours of an agent after a dip are a little less
        dipped than the agent (a dip is rarer than the weeks it is matched to), and new
        hires' nearest controls a little longer in the job; the slopes say how much
        rebound or learning-curve progress that difference buys, and it is subtracted.
        One fit per tenure band (new hires' weeks move differently: a short history, a
        steep curve), the pooled fit for a band with too few agent-weeks; one fit serves
        every item: each item is a small share of these agent-weeks.
        Returns per outcome an array [band, column] (None: too little data)."""
        cols = np.arange(self.valid.shape[1])
        quiet = self.panel.dev_counts[:, cols + self.panel.dev_offset] == 0
        could = self.valid & quiet
        week = np.broadcast_to(cols, could.shape)[could]
        band = self.band[could]
        out = {}
        for name, (pre, post, _) in self.windows.items():
            y = (post - pre)[could]
            x = np.concatenate([self.history[name], self.common], axis=2)[could]
            keep = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
            if keep.sum() < max(MIN_FIT_ROWS, 5 * x.shape[1]):
                out[name] = None
                continue
            pooled = _within_week_slopes(y[keep], x[keep], week[keep])
            per_band = []
            for b in range(len(TENURE_BANDS) + 1):
                rows = keep & (band == b)
                per_band.append(_within_week_slopes(y[rows], x[rows], week[rows])
                                if rows.sum() >= 10 * x.shape[1] else pooled)
            out[name] = np.stack(per_band)
        return out

    def effects(self, events: pd.DataFrame, treated_by: pd.Series) -> pd.DataFrame:
        """Per-event matched differences. `treated_by`: employee_id -> first treated col."""
        first = np.full(len(self.panel.ids), np.inf)
        idx = self.panel.ids.get_indexer(treated_by.index)
        first[idx[idx >= 0]] = treated_by.to_numpy()[idx >= 0]
        slopes = self.slopes
        hist = self.history["composite"]
        rows = []
        for ev in events.itertuples():
            a, t = ev.row, ev.col
            if t < PRE or t >= self.valid.shape[1] or not self.valid[a, t]:
                continue
            cand = np.nonzero(self.valid[:, t] & (first > t + POST))[0]
            if len(cand) < K_CONTROLS:
                continue
            # the 4 pre-weeks, the treatment week's own level (who enrols that week, e.g.
            # the less stressed, differs in ways that persist) and the usual level before
            dist = (np.sum((hist[cand, t, :PRE + 2] - hist[a, t, :PRE + 2]) ** 2, axis=1)
                    + ACTIVITY_WEIGHT * (self.activity[cand, t] - self.activity[a, t]) ** 2
                    + ACTIVITY_WEIGHT * (self.recent[cand, t] - self.recent[a, t]) ** 2
                    + TENURE_WEIGHT * (self.tenure[cand, t] - self.tenure[a, t]) ** 2
                    + BAND_PENALTY * (self.band[cand, t] != self.band[a, t]))
            ctrl = cand[np.argsort(dist)[:K_CONTROLS]]
            rec = {"row": a, "col": t, "controls": tuple(self.panel.ids[ctrl])}
            for name, (pre, post, _) in self.windows.items():
                d_t = post[a, t] - pre[a, t]
                c = post[ctrl, t] - pre[ctrl, t]
                beta = slopes[name]
                if beta is not None:
                    beta = beta[self.band[a, t]]  # the treated agent's tenure band
                    both = np.r_[a, ctrl]
                    fit = np.concatenate([self.history[name][both, t],
                                          self.common[both, t]], axis=1) @ beta
                    d_t -= fit[0]
                    c = c - fit[1:]
                # no control with this outcome observed (e.g. the metric is not kept)
                rec[name] = d_t - np.nanmean(c) if np.any(~np.isnan(c)) else np.nan
                rec[f"{name}__control_var"] = (float(np.nanvar(c, ddof=1))
                                               if np.sum(~np.isnan(c)) > 1 else np.nan)
            rows.append(rec)
        return pd.DataFrame(rows)


def _summary(x: pd.Series, eff: pd.DataFrame | None = None) -> dict:
    """Mean matched difference and its 95% CI. With the matched records (`eff`), the
    variance adds the covariance from reusing a control agent for several treated ones
    (Abadie–Imbens): each pair sharing a control shares its change, variance σ²/K²."""
    x = x.dropna()
    n = len(x)
    if n < 2:
        return {"effect": None, "ci_low": None, "ci_high": None, "p_value": None, "se": None}
    mean, var = float(x.mean()), float(x.var(ddof=1) / n)
    if eff is not None and "controls" in eff:
        used = eff.loc[x.index, "controls"].explode().value_counts().to_numpy(dtype=float)
        sigma2 = float(np.nanmean(eff.loc[x.index, f"{x.name}__control_var"]))
        if np.isfinite(sigma2):
            var += sigma2 / K_CONTROLS ** 2 * float(np.sum(used * (used - 1))) / n ** 2
    se = float(np.sqrt(var))
    p = float(2 * stats.norm.sf(abs(mean / se))) if se > 0 else 1.0
    return {"effect": mean, "ci_low": mean - 1.96 * se, "ci_high": mean + 1.96 * se,
            "p_value": p, "se": se}


def bh_qvalues(p: list[float]) -> list[float]:
    p_arr = np.asarray(p, dtype=float)
    n = len(p_arr)
    if n == 0:
        return []
    order = np.argsort(p_arr)
    ranked = p_arr[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.clip(q, 0, 1)
    return out.tolist()


def _heterogeneity(eff: pd.DataFrame, groups: pd.Series) -> dict:
    by = {str(g): x["composite"].dropna() for g, x in eff.groupby(groups.to_numpy())}
    shown = {g: x for g, x in by.items() if len(x) >= MIN_GROUP}
    res = {"by_group": {g: float(x.mean()) for g, x in shown.items()}, "p_value": None}
    if len(shown) >= 2:
        res["p_value"] = float(stats.f_oneway(*shown.values()).pvalue)
    return res


def _events_with_cols(panel: Panel, ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev[ev["employee_id"].isin(panel.ids)].copy()
    ev["row"] = panel.ids.get_indexer(ev["employee_id"])
    ev["col"] = ((week_start(ev["date"]) - panel.data_start).dt.days // 7).astype(int)
    return ev.sort_values("date")


def item_effects(ds: Dataset, *, panel: Panel | None = None, matcher: Matcher | None = None,
                 include_coaching: bool = True) -> list[dict]:
    """One record per item in evidence tiers (see rank_by_evidence); coaching sessions
    count for their topic item."""
    panel = panel or build_panel(ds)
    ev = development_events(ds)
    if ev.empty:
        return []
    matcher = matcher or Matcher(panel, reactive=reactive_counts(panel, ev))
    if not include_coaching:
        ev = ev[ev["source"] == "completion"]
    ev = _events_with_cols(panel, ev.dropna(subset=["item_code"]))
    titles = ds.learning_items.drop_duplicates("item_code").set_index("item_code")["title"]
    hire = panel.agents["hire_date"]
    out = []
    for item, g in ev.groupby("item_code"):
        first = g.drop_duplicates("employee_id")
        eff = matcher.effects(first, first.set_index("employee_id")["col"])
        rec = {"item_code": str(item), "title": str(titles.get(item, item)),
               "n_treated": int(len(eff))}
        if len(eff) < MIN_GROUP:
            out.append({**rec, "suppressed": True})
            continue
        rec.update(_summary(eff["composite"], eff))
        rec["suppressed"] = False
        rec["metrics"] = {m: _summary(eff[m], eff) for m in matcher.outcomes
                          if m != "composite"}
        arr = panel.agents["work_arrangement"].to_numpy()[eff["row"]]
        tenure = (panel.weeks[eff["col"]] - hire.to_numpy()[eff["row"]]).days / 7
        rec["by_work_arrangement"] = _heterogeneity(eff, pd.Series(arr))
        rec["by_tenure"] = _heterogeneity(
            eff, pd.Series(np.where(tenure < 26, "under 6 months", "6 months or more")))
        camp = first.set_index("row")["assigned_by"].reindex(eff["row"]).to_numpy() == "campaign"
        rec["campaign"] = (_summary(eff.loc[camp, "composite"], eff) | {"n": int(camp.sum())}
                           if camp.sum() >= MIN_GROUP else {"n": int(camp.sum()), "effect": None})
        out.append(rec)
    shown = [r for r in out if not r["suppressed"]]
    add_evidence(shown)
    for key in ("by_work_arrangement", "by_tenure"):
        ps = [r[key]["p_value"] for r in shown if r[key]["p_value"] is not None]
        qs = iter(bh_qvalues(ps))
        for r in shown:
            if r[key]["p_value"] is not None:
                r[key]["q_value"] = next(qs)
                r[key]["differs"] = bool(r[key]["q_value"] < 0.05)
    return rank_by_evidence(shrink(out))


def add_evidence(records: list[dict]) -> None:
    """BH q-values across the (unsuppressed) items and the decision read from them:
    `no_measurable_effect` when the interval includes 0 or q >= 0.05, else `evidence`
    "positive" or "negative" by the sign of the estimate. Deciding on q rather than on
    each item's own interval keeps the expected share of items in those two tiers that
    are there by chance near 1 in 20 however many items the report tests."""
    for r, q in zip(records, bh_qvalues([r["p_value"] for r in records]), strict=True):
        r["q_value"] = q
        r["no_measurable_effect"] = bool(r["ci_low"] <= 0 <= r["ci_high"] or q >= 0.05)
        r["evidence"] = ("none" if r["no_measurable_effect"]
                         else "positive" if r["effect"] > 0 else "negative")


def rank_by_evidence(records: list[dict]) -> list[dict]:
    """Measurably positive items first, then those with no measurable effect, then the
    measurably harmful ones, suppressed items last; by shrunk estimate inside each tier.

    Among items whose effects cannot be told from 0 the order of their estimates is
    mostly noise, so no such item is ranked above one with a measurable benefit however
    high its estimate; the shrunk estimate inside a tier keeps a rare item's lucky few
    from topping it."""
    def key(r: dict) -> tuple:
        tier = EVIDENCE_TIERS.index(r["evidence"]) if "evidence" in r else len(EVIDENCE_TIERS)
        return r["suppressed"], tier, -(r.get("shrunk_effect") or 0.0)
    return sorted(records, key=key)


def coach_effects(ds: Dataset, *, panel: Panel | None = None,
                  matcher: Matcher | None = None) -> list[dict]:
    panel = panel or build_panel(ds)
    ev = development_events(ds)
    if ev.empty or (ev["source"] == "coaching").sum() == 0:
        return []
    matcher = matcher or Matcher(panel, reactive=reactive_counts(panel, ev))
    ev = _events_with_cols(panel, ev[ev["source"] == "coaching"])
    first_any = ev.groupby("employee_id")["col"].min()  # any coaching makes one not-yet-untreated
    out = []
    for coach, g in ev.groupby("coach"):
        first = g.drop_duplicates("employee_id")
        eff = matcher.effects(first, first_any)
        rec = {"coach_employee_id": str(coach), "n_coached": int(len(eff))}
        if len(eff) < MIN_GROUP:
            out.append({**rec, "suppressed": True})
            continue
        out.append({**rec, **_summary(eff["composite"], eff), "suppressed": False})
    return shrink(out)


def shrink(records: list[dict]) -> list[dict]:
    """Empirical-Bayes (normal–normal) shrinkage of each estimate toward the precision-
    weighted mean; between-unit variance by the method of moments. Sorted best first."""
    shown = [r for r in records if not r["suppressed"] and r.get("se")]
    if shown:
        est = np.array([r["effect"] for r in shown])
        se2 = np.array([r["se"] ** 2 for r in shown])
        w = 1 / se2
        mu = float(np.sum(w * est) / np.sum(w))
        tau2 = float(max(0.0, np.var(est, ddof=1) - se2.mean())) if len(shown) > 1 else 0.0
        for r, e, s2 in zip(shown, est, se2, strict=True):
            b = tau2 / (tau2 + s2) if tau2 > 0 else 0.0
            post_sd = float(np.sqrt(b * s2)) if tau2 > 0 else float(np.sqrt(1 / np.sum(w)))
            r["shrunk_effect"] = float(mu + b * (e - mu))
            r["shrunk_ci_low"] = r["shrunk_effect"] - 1.96 * post_sd
            r["shrunk_ci_high"] = r["shrunk_effect"] + 1.96 * post_sd
            r["shrinkage_weight"] = float(b)
    return sorted(records, key=lambda r: (r["suppressed"], -(r.get("shrunk_effect") or 0.0)))
