"""Score the current recommendations against a data set's truth (data contract:
"Simulator truth"), beside the two baselines on the same data and rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from lnd import conf
from lnd.models import Recommendation, RecommendationRun
from lnd.services.ml_io import dataset_from_db
from recommender import api


def current_ranked() -> tuple[RecommendationRun, pd.DataFrame]:
    run = RecommendationRun.objects.filter(is_current=True).first()
    if run is None:
        raise ValueError("No recommendations scored yet: run `manage.py recommend --all`.")
    rows = Recommendation.objects.filter(run=run).values_list(
        "employee__employee_id", "rank", "item__code", "expected_gain", "gain_low",
        "gain_high")
    ranked = pd.DataFrame.from_records(list(rows), columns=[
        "employee_id", "rank", "item_code", "expected_gain", "gain_low", "gain_high"])
    return run, ranked


def recommendations_evaluate(*, data_dir: Path, k: int = 5) -> dict[str, dict[str, float]]:
    truth_file = data_dir / "truth" / "item_gain.csv"
    if not truth_file.exists():
        raise ValueError(f"{truth_file} not found: this data set has no truth to score.")
    truth = pd.read_csv(truth_file, dtype={"employee_id": str, "item_code": str})
    run, ranked = current_ranked()
    ds = dataset_from_db(as_of=run.as_of)
    config = replace(api.RecommendConfig(**conf.recommend_config_kwargs()), k=k)
    lists = {
        "model" if run.model_version_id else "model (fallback: skill-gap rule)": ranked,
        "popularity": api.baseline_popularity(ds, k, config=config),
        "skill_gap": api.baseline_skill_gap(ds, k, config=config),
    }
    eligible = api.eligible_pairs(ds, config=config)
    table = {}
    for name, frame in lists.items():
        row = api.evaluate_against_truth(frame, truth, k=k)
        restricted = api.evaluate_against_truth(frame, truth, k=k, eligible=eligible)
        row[f"share_of_oracle_top{k}_eligible"] = restricted[f"share_of_oracle_top{k}"]
        table[name] = row
    return table
