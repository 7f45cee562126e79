"""The narrow interface the Django side calls. Plain pandas in, plain pandas out.

    train_gain_model(ds, *, seed=0, params=None) -> TrainResult
    GainModel.save(path) -> sha256 hex;  GainModel.load(path) -> GainModel
    recommend(ds, model | None, *, config=RecommendConfig()) -> RecommendationSet
    baseline_popularity(ds, k, *, config=None) -> ranked DataFrame
    baseline_skill_gap(ds, k, *, config=None) -> ranked DataFrame
    evaluate_against_truth(ranked, truth_item_gain, k=5, *, eligible=None) -> dict
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.gain import evaluation, feedback
from recommender.gain.baselines import lowest_skill_names, popularity_scores, skill_gap_scores
from recommender.gain.composite import Standardiser
from recommender.gain.context import (
    Context,
    build_context,
    fallback_standardiser,
    scoring_since,
)
from recommender.gain.eligibility import schedule_weeks, select
from recommender.gain.explanations import Facts, reasons
from recommender.gain.features import ITEM_FEATURES, ItemTable, item_features
from recommender.gain.model import DEFAULT_PARAMS, GainModel
from recommender.gain.panel import build_panel
from recommender.gain.training import AFTER_WEEKS, TrainingRows, build_rows, exposures
from recommender.gain.weeks import week_index, week_start

__all__ = [
    "GainModel", "RecommendConfig", "RecommendationSet", "TrainResult", "baseline_popularity",
    "baseline_skill_gap", "eligible_pairs", "evaluate_against_truth", "recommend",
    "scoring_since", "train_gain_model",
]

RANKED_COLUMNS = ["employee_id", "rank", "item_code", "score", "expected_gain", "gain_low",
                  "gain_high", "reasons", "on_path", "path_note", "propensity", "explored",
                  "plan_week"]
MANDATORY_COLUMNS = ["employee_id", "item_code", "due_date", "reason"]
# One row per held-out exposure: the gain the validation model predicted and the imputed
# effect (y - mu0) it is judged against; per-group breakdowns (fairness) start from it.
HELDOUT_COLUMNS = ["employee_id", "item_code", "campaign", "expected_gain", "effect"]
HOLDOUT_WEEKS = 13
EMBARGO_WEEKS = AFTER_WEEKS  # a training row's outcome window ends before held-out starts


@dataclass(frozen=True)
class RecommendConfig:
    k: int = 5
    budget_minutes_per_week: float = 120.0
    plan_weeks: int = 4               # the list is a plan for this many weeks
    cooldown_weeks: int = 26          # an item completed this recently is not shown again
    epsilon: float = 0.05             # exploration share of the last slot
    path_weight: float = 0.05         # score = expected_gain + path_weight * share of
                                      # next-step missing skills the item targets
    uptake_weight: float = 1.0        # 0 ignores agents' uptake of an item when ranking
    seed: int = 0
    mandatory_grace_days: int = 30    # due date of a never-completed mandatory item
    recert_horizon_days: int = 90     # list recertifications falling due this soon


@dataclass
class RecommendationSet:
    ranked: pd.DataFrame
    mandatory: pd.DataFrame
    model_version: str = ""


@dataclass
class TrainResult:
    model: GainModel
    metrics: dict[str, float]
    feature_names: list[str]
    window: tuple[pd.Timestamp, pd.Timestamp]
    heldout: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=HELDOUT_COLUMNS))


# -- training -------------------------------------------------------------------------

def train_gain_model(ds: Dataset, *, seed: int = 0, params: dict | None = None
                     ) -> TrainResult:
    p = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
    perf = ds.performance[pd.to_datetime(ds.performance["period_start"]) <= ds.as_of]
    std = Standardiser.fit(ds.metrics, perf)
    agent_ids = np.sort(perf["employee_id"].astype(str).unique()).astype(object)
    w0 = int(week_index(pd.to_datetime(perf["period_start"]).min()))
    last = int(week_index(ds.as_of))
    expo = exposures(ds)
    panel = build_panel(ds, agent_ids, w0, last + 1, std, expo)
    items = ItemTable.from_dataset(ds, panel.skill_codes)
    expo = expo.assign(propensity=feedback.impression_propensity(
        ds.recommendation_feedback, expo))
    rows = build_rows(ds, panel, items, expo, last_week=last,
                      max_controls=int(p["max_controls"]), seed=seed)
    if rows.n_treated < 20:
        raise ValueError(f"only {rows.n_treated} usable exposures: too little history")

    metrics, heldout = _validate(rows, std, p, seed, ds, items, agent_ids)
    p["interval_extra_sd"] = metrics.get("interval_extra_sd", 0.0)
    model = GainModel(params=p).fit(rows, std, seed=seed)
    window = (week_start(w0), week_start(last))
    model.window_ = (window[0].date().isoformat(), window[1].date().isoformat())
    support = expo["item_code"].value_counts()  # completions and coaching sessions
    model.item_support_ = {str(k): int(v) for k, v in sorted(support.items())}
    model.item_uptake_ = feedback.item_uptake(ds.recommendation_feedback)
    metrics.update(**feedback.summary(ds.recommendation_feedback, expo["propensity"]),
                   exposures_weighted_by_propensity=float(np.isfinite(rows.propensity).sum()))
    metrics.update(n_exposures=float(rows.n_treated),
                   n_controls=float(len(rows.y) - rows.n_treated),
                   n_campaign=float(rows.campaign.sum()))
    model.metrics_ = metrics
    return TrainResult(model, metrics, model.feature_names, window, heldout)


def _subset(rows: TrainingRows, mask: np.ndarray) -> TrainingRows:
    t = mask[: rows.n_treated]
    return TrainingRows(
        state=rows.state[mask].reset_index(drop=True),
        skill=rows.skill, items=rows.items[t].reset_index(drop=True),
        treated=rows.treated[mask], n_treated=int(t.sum()), item=rows.item[t],
        item_code=rows.item_code[t],
        campaign=rows.campaign[t], week=rows.week[mask], agent=rows.agent[mask],
        y=rows.y[mask],
        propensity=None if rows.propensity is None else rows.propensity[t])


def _validate(rows: TrainingRows, std: Standardiser, p: dict, seed: int,
              ds: Dataset, items: ItemTable, agent_ids: np.ndarray
              ) -> tuple[dict[str, float], pd.DataFrame]:
    """Time-ordered split, 8-week embargo; truth-free metrics on the held-out period and
    its rows (HELDOUT_COLUMNS; empty when there is too little history to hold out)."""
    tw = rows.week[rows.treated]
    start = int(tw.max()) - HOLDOUT_WEEKS + 1
    train = rows.week + AFTER_WEEKS < start
    hold = rows.week >= start
    if train[rows.treated].sum() < 20 or hold[rows.treated].sum() < 10:
        return {"validation_skipped": 1.0}, pd.DataFrame(columns=HELDOUT_COLUMNS)
    model = GainModel(params={**p, "n_boot": 0}).fit(_subset(rows, train), std, seed=seed)
    h = _subset(rows, hold)
    xt = pd.concat([h.state[h.treated].reset_index(drop=True), h.items], axis=1)
    xt = model.fill_prior(xt.to_numpy(float), h.item_code)
    base = model.predict_baseline(h.state[h.treated])
    effect = h.y[h.treated] - base
    tau = model.predict_gain(xt, h.item_code)
    comp = ds.completions
    before = comp[pd.to_datetime(comp["completed_at"]) < week_start(start)]
    pop = before["item_code"].value_counts()
    pop_score = pop.reindex(np.asarray(items.codes)[h.item]).fillna(0).to_numpy(float)
    gap_score = -h.items["it_lvl_min"].to_numpy(float)
    sel = h.campaign if h.campaign.sum() >= 30 else np.ones(h.n_treated, bool)
    out = {
        "heldout_rows": float(h.n_treated), "heldout_campaign_rows": float(h.campaign.sum()),
        "heldout_rmse_baseline_only": _rmse(effect),
        "heldout_rmse_with_gain": _rmse(effect - tau),
    }
    for name, score in (("model", tau), ("popularity", pop_score), ("skill_gap", gap_score)):
        out[f"heldout_campaign_corr_{name}"] = evaluation.score_correlation(
            score[sel], effect[sel])
    out.update(_item_level(h.item_code, effect, tau, pop_score, gap_score))
    best_base = max(out["heldout_item_corr_popularity"], out["heldout_item_corr_skill_gap"])
    out["gate_pass"] = float(out["heldout_item_corr_model"] > max(best_base, 0.0))
    heldout = pd.DataFrame({
        "employee_id": np.asarray(agent_ids, dtype=object)[h.agent[h.treated]],
        "item_code": h.item_code, "campaign": h.campaign.astype(bool),
        "expected_gain": tau, "effect": effect})
    return out, heldout


def _item_level(codes: np.ndarray, effect: np.ndarray, tau: np.ndarray, pop: np.ndarray,
                gap: np.ndarray, min_rows: int = 10) -> dict[str, float]:
    """Held-out exposures averaged per item: imputed effect (y - mu0) against each
    ranking's score. Averaging ~n rows per item cuts the outcome noise by sqrt(n), which
    row-level correlations at this noise level cannot. The excess of the model's
    item-level error over sampling noise widens the reported intervals."""
    frame = pd.DataFrame({"c": codes, "d": effect, "tau": tau, "pop": pop, "gap": gap})
    g = frame.groupby("c").agg(d=("d", "mean"), v=("d", "var"), n=("d", "size"),
                               tau=("tau", "mean"), pop=("pop", "mean"), gap=("gap", "mean"))
    g = g[g["n"] >= min_rows]
    out = {"heldout_items": float(len(g))}
    for name, col in (("model", "tau"), ("popularity", "pop"), ("skill_gap", "gap")):
        out[f"heldout_item_corr_{name}"] = evaluation.score_correlation(
            g[col].to_numpy(), g["d"].to_numpy())
    excess = ((g["d"] - g["tau"]) ** 2 - g["v"] / g["n"]).mean() if len(g) else 0.0
    out["interval_extra_sd"] = float(np.sqrt(max(float(excess), 0.0)))
    return out


def _rmse(x: np.ndarray) -> float:
    return float(np.sqrt(np.nanmean(np.square(x)))) if len(x) else float("nan")


# -- recommending -----------------------------------------------------------------------

def _context(ds: Dataset, std: Standardiser, config: RecommendConfig) -> Context:
    return build_context(ds, std, cooldown_weeks=config.cooldown_weeks,
                         budget=config.budget_minutes_per_week,
                         grace_days=config.mandatory_grace_days,
                         horizon_days=config.recert_horizon_days)


def recommend(ds: Dataset, model: GainModel | None, *,
              config: RecommendConfig | None = None) -> RecommendationSet:
    config = config or RecommendConfig()
    std = model.standardiser_ if model is not None else fallback_standardiser(ds)
    ctx = _context(ds, std, config)
    if model is None:
        ranked = _rank_by_rule(ctx, skill_gap_scores(ctx), config, "skill_gap_fallback")
        return RecommendationSet(ranked, ctx.mandatory, "rule:skill_gap")
    return RecommendationSet(_rank_by_model(ctx, model, config), ctx.mandatory,
                             model_version=f"gain:{model.version[:12]}")


def candidate_matrix(ctx: Context, model: GainModel, a: np.ndarray, i: np.ndarray
                     ) -> np.ndarray:
    """Feature matrix of (agent a[j], item i[j]) pairs in the model's column order."""
    names = model.state_names_
    state = ctx.state.reindex(columns=names).to_numpy(float)
    it = item_features(ctx.state, ctx.skill, a, i, ctx.items, ctx.count[a, i])
    # Column-major: the model's tables read the matrix a column at a time.
    x = np.empty((len(a), len(names) + len(ITEM_FEATURES)), order="F")
    for j in range(len(names)):
        np.take(state[:, j], a, out=x[:, j])
    for j, name in enumerate(ITEM_FEATURES, start=len(names)):
        x[:, j] = it[name].to_numpy(float)
    return model.fill_prior(x, np.asarray(ctx.items.codes, dtype=object)[i])


def _rank_by_model(ctx: Context, model: GainModel, config: RecommendConfig) -> pd.DataFrame:
    a, i = np.nonzero(ctx.ok)
    x = candidate_matrix(ctx, model, a, i)
    codes = np.asarray(ctx.items.codes, dtype=object)
    gain = model.predict_gain(x, codes[i])
    covered, n_missing = ctx.path_gap()
    share = np.divide(covered, n_missing[:, None], out=np.zeros_like(covered),
                      where=n_missing[:, None] > 0)
    # Ranked by realised gain: an item agents turn down delivers less (gain/feedback.py).
    uptake = pd.Series(model.item_uptake_, dtype=float).reindex(codes[i]).fillna(1.0) \
        .to_numpy() ** config.uptake_weight
    score = np.full(ctx.ok.shape, -np.inf)
    score[a, i] = gain * uptake + config.path_weight * share[a, i]
    gain_m = np.full(ctx.ok.shape, np.nan)
    gain_m[a, i] = gain
    row_of = np.full(ctx.ok.shape, -1)
    row_of[a, i] = np.arange(len(a))
    chosen, prop, explored = select(score, ctx.ok, ctx.items.duration,
                                    _plan_budget(ctx, config), k=config.k,
                                    epsilon=config.epsilon, seed=config.seed)
    week = schedule_weeks(chosen, ctx.items.duration, ctx.budget, config.budget_minutes_per_week)
    sa, rank = np.nonzero(chosen >= 0)
    si = chosen[sa, rank]
    xs = x[row_of[sa, si]]
    g = gain_m[sa, si]
    low, high = model.interval(xs, g)
    contrib = model.contributions(xs, codes[si])
    facts = _facts(ctx, model, xs, sa, si)
    text = reasons(contrib, model.explain_names, facts, g, low, high)
    return _frame(ctx, sa, si, rank, score[sa, si], g, low, high, text,
                  covered, n_missing, prop[sa, rank], explored[sa, rank], week[sa, rank])


def _plan_budget(ctx: Context, config: RecommendConfig) -> np.ndarray:
    """Minutes the whole plan may hold: what is left this week plus the later weeks."""
    return ctx.budget + config.budget_minutes_per_week * (max(config.plan_weeks, 1) - 1)


def _facts(ctx: Context, model: GainModel, xs: np.ndarray, sa: np.ndarray,
           si: np.ndarray) -> Facts:
    names = model.state_names_ + list(ITEM_FEATURES)
    team = ctx.panel.agents["team_code"].fillna("").to_numpy()
    qa_med = _team_item_qa_median(ctx, team)
    team_ix = pd.Index(qa_med.index)
    qa_rows = qa_med.to_numpy()[team_ix.get_indexer(team[sa]), si]
    sent = pd.Series(ctx.state["sent_mean4"].to_numpy()).groupby(team).median()
    support = pd.Series(model.item_support_).reindex(ctx.items.codes).fillna(0).to_numpy()
    # Per-row facts as lists: the sentences read them one row at a time, and numpy
    # scalars cost more to index and format than the sentences do.
    return Facts(x=dict(zip(names, xs.T.tolist(), strict=True)), a=sa, i=si,
                 skill=ctx.skill, role=ctx.panel.role[:, -1], team_qa_median=qa_rows.tolist(),
                 team_sent_median=sent.reindex(team[sa]).to_numpy().tolist(), items=ctx.items,
                 roles=ctx.panel.roles, std=ctx.panel.std, support=support,
                 offset=model.offsets(np.asarray(ctx.items.codes, dtype=object)[si]))


def _team_item_qa_median(ctx: Context, team: np.ndarray) -> pd.DataFrame:
    """[team x item] median over the team's agents of their mean 8-week QA score on the
    item's skills (the comparison quoted next to the agent's own number)."""
    qa = ctx.skill.qa8
    present = ~np.isnan(qa)
    skills = ctx.items.skills
    total = np.where(present, qa, 0.0) @ skills.T
    count = present.astype(float) @ skills.T
    with np.errstate(invalid="ignore", divide="ignore"):
        per_agent = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.DataFrame(per_agent).groupby(team).median()


PATH_NOTE = "Targets {covered} of {missing} missing skills for {role}."
_PATH_NOTE_ROLE = re.compile(r"^Targets \d+ of \d+ missing skills for (?P<role>.+?)\.?$")


def path_note_role(note: str) -> str | None:
    """The role a stored `path_note` names (None for an empty or unrecognised note)."""
    match = _PATH_NOTE_ROLE.match(note or "")
    return match["role"] if match else None


def _frame(ctx: Context, sa, si, rank, score, gain, low, high, text, covered, n_missing,
           prop, explored, week) -> pd.DataFrame:
    cov = covered[sa, si]
    miss = n_missing[sa]
    nxt = ctx.skill.next_role[sa]
    names = ctx.panel.roles.role_names
    notes = [PATH_NOTE.format(covered=int(c), missing=int(m), role=names[r])
             if c > 0 and r >= 0 else "" for c, m, r in zip(cov, miss, nxt, strict=True)]
    out = pd.DataFrame({
        "employee_id": ctx.agent_ids[sa], "rank": rank + 1,
        "item_code": np.asarray(ctx.items.codes, dtype=object)[si], "score": score,
        "expected_gain": gain, "gain_low": low, "gain_high": high, "reasons": text,
        "on_path": cov > 0, "path_note": notes, "propensity": prop,
        "explored": explored.astype(bool), "plan_week": week.astype(int),
    })
    return out.sort_values(["employee_id", "rank"], kind="stable").reset_index(drop=True)


def _rank_by_rule(ctx: Context, score: np.ndarray, config: RecommendConfig,
                  rule: str) -> pd.DataFrame:
    s = np.where(ctx.ok, score, -np.inf)
    chosen, prop, explored = select(_rule_amounts(s, ctx.ok), ctx.ok, ctx.items.duration,
                                    _plan_budget(ctx, config), k=config.k,
                                    epsilon=config.epsilon, seed=config.seed)
    week = schedule_weeks(chosen, ctx.items.duration, ctx.budget, config.budget_minutes_per_week)
    sa, rank = np.nonzero(chosen >= 0)
    si = chosen[sa, rank]
    nan = np.full(len(sa), np.nan)
    covered, n_missing = ctx.path_gap()
    if rule == "popularity":
        text = [[f"No personal model is used here: this is one of the most completed items "
                 f"({int(ctx.popularity[j])} completions)."] for j in si]
    else:
        lows = lowest_skill_names(ctx, sa, si)
        lead = ("No trained gain model is available yet, so this list is ranked by your "
                "skill gaps." if rule == "skill_gap_fallback"
                else "Ranked by your skill gaps (rule, not a model).")
        text = [[lead] + ([f"It targets your lowest assessed skill: {low}."] if low else [])
                for low in lows]
    return _frame(ctx, sa, si, rank, s[sa, si], nan, nan, nan, text, covered, n_missing,
                  prop[sa, rank], explored[sa, rank], week[sa, rank])


def _rule_amounts(score: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """A rule's score is an order, not a gain (the skill-gap rule's are all negative):
    shifted per agent to start at 1, so the plan fill trades items off by it as it does
    the model's gains instead of treating every item as worth nothing."""
    low = np.where(ok, score, np.inf).min(1, keepdims=True)
    return np.where(ok, score - np.where(np.isfinite(low), low, 0.0) + 1.0, -np.inf)


def _baseline_config(config: RecommendConfig | None) -> RecommendConfig:
    return replace(config or RecommendConfig(), epsilon=0.0)


def baseline_popularity(ds: Dataset, k: int, *, config: RecommendConfig | None = None
                        ) -> pd.DataFrame:
    config = replace(_baseline_config(config), k=k)
    ctx = _context(ds, fallback_standardiser(ds), config)
    return _rank_by_rule(ctx, popularity_scores(ctx), config, "popularity")


def baseline_skill_gap(ds: Dataset, k: int, *, config: RecommendConfig | None = None
                       ) -> pd.DataFrame:
    config = replace(_baseline_config(config), k=k)
    ctx = _context(ds, fallback_standardiser(ds), config)
    return _rank_by_rule(ctx, skill_gap_scores(ctx), config, "skill_gap")


def eligible_pairs(ds: Dataset, *, config: RecommendConfig | None = None) -> pd.DataFrame:
    """(employee_id, item_code) pairs the ranking may show: the oracle's pool."""
    ctx = _context(ds, fallback_standardiser(ds), config or RecommendConfig())
    a, i = np.nonzero(ctx.ok)
    return pd.DataFrame({"employee_id": ctx.agent_ids[a],
                         "item_code": np.asarray(ctx.items.codes, dtype=object)[i]})


def evaluate_against_truth(ranked: pd.DataFrame, truth_item_gain: pd.DataFrame, k: int = 5,
                           *, eligible: pd.DataFrame | None = None,
                           durations: pd.Series | None = None,
                           budget_minutes: float | None = None) -> dict[str, float]:
    """Share of the oracle's top-k true gain, nDCG@k, interval coverage, gain bias; with
    `durations` (item_code -> minutes) and a finite `budget_minutes`, also the share of
    the best any k items within that budget could reach (a budget-limited list cannot
    reach the unconstrained oracle: on the simulator at 120 min/week even the perfect
    budget-limited list gets ~0.54 of it)."""
    out = evaluation.evaluate(ranked, truth_item_gain, k=k, eligible=eligible,
                              durations=durations, budget_minutes=budget_minutes)
    out["interval_coverage"] = evaluation.interval_coverage(ranked, truth_item_gain)
    out["gain_bias"] = evaluation.gain_bias(ranked, truth_item_gain)
    return out

