"""Product settings read from the environment, with the defaults a centre starts from."""

from __future__ import annotations

import environ

env = environ.Env()


def recommend_config_kwargs() -> dict:
    return {
        "k": env.int("LND_RECOMMEND_K", default=5),
        "budget_minutes_per_week": env.float("LND_LEARNING_MINUTES_PER_WEEK", default=120.0),
        "plan_weeks": env.int("LND_LEARNING_PLAN_WEEKS", default=4),
        "cooldown_weeks": env.int("LND_RECOMMEND_COOLDOWN_WEEKS", default=26),
        "epsilon": env.float("LND_RECOMMEND_EXPLORATION", default=0.05),
        "path_weight": env.float("LND_CAREER_PATH_WEIGHT", default=0.05),
        "uptake_weight": env.float("LND_RECOMMEND_UPTAKE_WEIGHT", default=1.0),
    }


def fairness_rule_kwargs() -> dict:
    """When a gap between groups of agents is flagged on a trained model
    (recommender.fairness.Rule, which rejects non-positive thresholds)."""
    return {
        "gain_bias_gap": env.float("LND_FAIRNESS_GAIN_BIAS_GAP", default=0.05),
        "gain_corr_gap": env.float("LND_FAIRNESS_GAIN_CORR_GAP", default=0.30),
        "risk_calibration_gap": env.float("LND_FAIRNESS_RISK_CALIBRATION_GAP", default=0.05),
        "min_agents": env.int("LND_FAIRNESS_MIN_AGENTS", default=20),
    }


SCORING_CHUNK_AGENTS = env.int("LND_SCORING_CHUNK_AGENTS", default=2000)
# Helper tasks a scoring job queues to share its chunks with other workers.
SCORING_FANOUT = env.int("LND_SCORING_FANOUT", default=8)
# A job or chunk whose heartbeat is older than this is taken to have lost its worker.
JOB_STALE_SECONDS = env.int("LND_JOB_STALE_SECONDS", default=300)

# A viewer re-reading the same person's data on the same page within this many seconds
# is one access: the log keeps who, whose, what, where and the first time, without a
# row per refresh (0 logs every read).
ACCESS_LOG_REPEAT_SECONDS = env.int("LND_ACCESS_LOG_REPEAT_SECONDS", default=600)

# The truth-free held-out score the gain model's promotion gate compares, per ranking:
# f"{GAIN_GATE_METRIC}_model", _popularity, _skill_gap (recommender.api._validate).
GAIN_GATE_METRIC = "heldout_item_corr"
# What the risk model's registry entry shows (recommender.retention.attrition_model).
RISK_HELDOUT_METRICS = ("roc_auc", "pr_auc", "brier", "base_rate")
