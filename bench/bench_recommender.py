"""Gain-recommender benchmark on simulated centres (reads the simulator's truth; the
product never does).

    .venv/bin/python bench/bench_recommender.py                      # 3 seeds, 1000 x 78
    .venv/bin/python bench/bench_recommender.py --seeds 0 --learners x s
    .venv/bin/python bench/bench_recommender.py --scale-only         # 10,000 x 60 scoring

Quality: share of the oracle's top-5 true gain and nDCG@5 for the model and both
baselines, with the oracle restricted to the items each agent may be shown (pass
--all-items for the oracle over every item). The pure-gain list (path_weight 0, no
exploration, no budget) measures the ranking; the default product config (a 4-week plan
of 120 min/week) is reported too, with its share of the best list that fits the plan's
480 minutes.
Speed: training time; scoring 10,000 agents x 60 items (the 1000-agent centre copied ten
times, plus 15 cold-start copies of items) against raw Booster.predict on the same
candidate matrix. Prints `name value unit` lines, then a table.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommender import api  # noqa: E402
from recommender.dataset import Dataset  # noqa: E402
from recommender.gain.context import build_context  # noqa: E402

PURE = api.RecommendConfig(epsilon=0.0, path_weight=0.0, budget_minutes_per_week=1e9)
ID_FRAMES = ("agents", "role_history", "separations", "performance", "qa_evaluations",
             "interactions", "pulse_surveys", "skill_assessments", "completions",
             "coaching_sessions")


def centre(cache: Path, agents: int, weeks: int, seed: int) -> tuple[Dataset, pd.DataFrame]:
    from recommender.simulation import simulate
    from tests.contract_frames import load_frames

    folder = cache / f"c{agents}_{weeks}_{seed}"
    pkl = folder / "dataset.pkl"
    if not pkl.exists():
        simulate(folder, n_agents=agents, weeks=weeks, seed=seed)
        pkl.write_bytes(pickle.dumps(load_frames(folder)))
    truth = pd.read_csv(folder / "truth" / "item_gain.csv",
                        dtype={"employee_id": str, "item_code": str})
    return pickle.loads(pkl.read_bytes()), truth


def line(name: str, value: float, unit: str) -> None:
    print(f"{name} {value:.4g} {unit}", flush=True)


def quality(ds: Dataset, truth: pd.DataFrame, seed: int, learner: str,
            all_items: bool) -> list[dict]:
    t0 = time.perf_counter()
    res = api.train_gain_model(ds, seed=0, params={"learner": learner})
    train_s = time.perf_counter() - t0
    line(f"train_seconds_seed{seed}_{learner}", train_s, "s")
    pool = None if all_items else api.eligible_pairs(ds, config=PURE)
    lists = {
        f"model_{learner}": api.recommend(ds, res.model, config=PURE).ranked,
        f"model_{learner}_default_config": api.recommend(
            ds, res.model, config=api.RecommendConfig()).ranked,
    }
    if learner == "x":
        lists["popularity"] = api.baseline_popularity(ds, 5, config=PURE)
        lists["skill_gap"] = api.baseline_skill_gap(ds, 5, config=PURE)
        lists["popularity_default_config"] = api.baseline_popularity(ds, 5)
        lists["skill_gap_default_config"] = api.baseline_skill_gap(ds, 5)
    rows = []
    minutes = ds.learning_items.set_index("item_code")["duration_minutes"].astype(float)
    default = api.RecommendConfig()
    # The default list is a plan over plan_weeks weeks: its minutes are the fair budget.
    budget = default.budget_minutes_per_week * default.plan_weeks
    for name, ranked in lists.items():
        limited = name.endswith("default_config")
        ev = api.evaluate_against_truth(ranked, truth, 5, eligible=pool,
                                        durations=minutes if limited else None,
                                        budget_minutes=budget if limited else None)
        rows.append({"seed": seed, "ranking": name, **ev,
                     "gate_pass": res.metrics.get("gate_pass", np.nan) if "model" in name
                     else np.nan,
                     "train_s": train_s if name == f"model_{learner}" else np.nan})
        line(f"share_of_oracle_top5_seed{seed}_{name}", ev["share_of_oracle_top5"], "ratio")
    heldout = {k: v for k, v in res.metrics.items() if k.startswith("heldout_item_corr")}
    for k, v in heldout.items():
        line(f"{k}_seed{seed}_{learner}", v, "corr")
    return rows


def scaled(ds: Dataset, copies: int, extra_items: int) -> Dataset:
    """`copies` renamed copies of every agent and their history, plus cold-start items."""
    frames = {}
    for name in ID_FRAMES:
        frame = getattr(ds, name)
        parts = []
        for c in range(copies):
            part = frame.copy()
            part["employee_id"] = part["employee_id"].astype(str) + f"_{c}"
            for key in ("evaluation_id", "interaction_id", "session_id"):
                if key in part:
                    part[key] = part[key].astype(str) + f"_{c}"
            if "team_code" in part:
                part["team_code"] = part["team_code"].astype(str) + f"_{c}"
            parts.append(part)
        frames[name] = pd.concat(parts, ignore_index=True)
    teams = pd.concat([ds.teams.assign(team_code=ds.teams["team_code"].astype(str) + f"_{c}")
                       for c in range(copies)], ignore_index=True)
    items = ds.learning_items
    pool = items[items["active"].astype(bool) & ~items["mandatory"].astype(bool)]
    new = pool.head(extra_items).assign(item_code=lambda f: f["item_code"] + "-NEW",
                                        prerequisite_codes=[[]] * min(extra_items, len(pool)))
    return Dataset(**{**ds.__dict__, **frames, "teams": teams,
                      "learning_items": pd.concat([items, new], ignore_index=True)})


def scale(cache: Path) -> None:
    ds, _ = centre(cache, 1000, 78, 0)
    res = api.train_gain_model(ds, seed=0)
    big = scaled(ds, 10, 15)
    cfg = api.RecommendConfig(budget_minutes_per_week=1e9)
    api.recommend(big, res.model, config=cfg)  # warm caches (imports, allocations)
    t0 = time.perf_counter()
    rs = api.recommend(big, res.model, config=cfg)
    total = time.perf_counter() - t0
    std = res.model.standardiser_
    t0 = time.perf_counter()
    ctx = build_context(big, std, cooldown_weeks=cfg.cooldown_weeks,
                        budget=cfg.budget_minutes_per_week, grace_days=30, horizon_days=90)
    context_s = time.perf_counter() - t0
    a, i = np.nonzero(ctx.ok)
    x = api.candidate_matrix(ctx, res.model, a, i)
    t0 = time.perf_counter()
    res.model.tau_.predict(x)
    raw = time.perf_counter() - t0
    n_agents = rs.ranked["employee_id"].nunique()
    line("scoring_agents", n_agents, "agents")
    line("scoring_items", len(ctx.items.codes), "items")
    line("scoring_candidate_rows", len(a), "rows")
    line("scoring_total_seconds", total, "s")
    line("scoring_context_seconds", context_s, "s")
    line("raw_booster_predict_seconds", raw, "s")
    line("scoring_over_raw_predict", total / raw, "x")
    line("scoring_over_raw_predict_excluding_data_prep", (total - context_s) / raw, "x")
    cold = rs.ranked[rs.ranked["item_code"].str.endswith("-NEW")]
    line("cold_start_item_share_of_shown_rows", len(cold) / len(rs.ranked), "ratio")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--weeks", type=int, default=78)
    ap.add_argument("--learners", nargs="+", default=["x"], choices=["x", "s", "naive"])
    ap.add_argument("--all-items", action="store_true")
    ap.add_argument("--scale-only", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/bench_recommender"))
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if not args.scale_only:
        rows = []
        for seed in args.seeds:
            ds, truth = centre(args.cache, args.agents, args.weeks, seed)
            for learner in args.learners:
                rows += quality(ds, truth, seed, learner, args.all_items)
        table = pd.DataFrame(rows)
        cols = ["share_of_oracle_top5", "share_of_budget_oracle_top5", "ndcg_at_5",
                "interval_coverage", "gain_bias"]
        mean = table.groupby("ranking")[[c for c in cols if c in table]].mean()
        for name, row in mean.iterrows():
            line(f"share_of_oracle_top5_mean_{name}", row["share_of_oracle_top5"], "ratio")
        if {"model_x", "popularity", "skill_gap"} <= set(mean.index):
            better = max(mean.at["popularity", "share_of_oracle_top5"],
                         mean.at["skill_gap", "share_of_oracle_top5"])
            line("model_minus_better_baseline", mean.at["model_x", "share_of_oracle_top5"]
                 - better, "ratio")
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table.round(3).to_string(index=False))
            print(mean.round(3).to_string())
    if not args.skip_scale:
        scale(args.cache)


if __name__ == "__main__":
    main()
