"""Training and end-to-end batch scoring through the Django side.

Prints: train_recommender_s and report_retention_s (1,000 agents × 78 weeks),
score_all_s (10,000 agents × 60 items: features from the database, predict, reasons for
the top 5, write, switch) and score_vs_raw_predict_ratio (that time over the model's own
predict on the same candidate matrix). Each is the median of BENCH_RUNS (default 3) runs.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
EXTRA_ITEMS = 15  # the simulator's catalogue has 45 items; the target is 60


def main() -> None:
    var = _django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from lnd.services import ml_jobs, registry
    from lnd.services.ml_io import dataset_from_db
    from recommender import api
    from recommender.simulation import simulate

    quiet = open(os.devnull, "w")  # noqa: SIM115 - lives for the whole run
    small = var / "centre-1000x78"
    simulate(small, n_agents=1000, weeks=78, seed=1)
    call_command("import_data", str(small), stdout=quiet, stderr=quiet)
    train_s, version = _django.median_time(lambda: ml_jobs.gain_model_train(), RUNS)
    _django.figure("train_recommender_s", train_s, "s")
    from recommender.retention import build_retention_report

    report_s, _ = _django.median_time(
        lambda: build_retention_report(dataset_from_db()), RUNS)  # computed, not cached
    _django.figure("report_retention_s", report_s, "s")

    big = var / "centre-10000"
    simulate(big, n_agents=10_000, weeks=30, seed=2)
    _add_items(big / "learning_items.csv", EXTRA_ITEMS)
    _django.flush()
    call_command("import_data", str(big), stdout=quiet, stderr=quiet)
    model = api.GainModel.load(version.artifact_path)
    active = registry.model_record(
        kind="gain", as_of=timezone.now().date(), seed=0, params={}, feature_names=[],
        metrics={}, library_versions={}, artifact_path=Path(version.artifact_path),
        artifact_sha256=version.artifact_sha256)
    registry.model_activate(version=active, decision="benchmark")
    score_s, run = _django.median_time(lambda: ml_jobs.recommendations_score(), RUNS)
    _django.figure("score_all_s", score_s, "s")
    _django.figure("score_agents", run.recommendations.values("employee").distinct().count(),
                   "agents")

    ds = dataset_from_db()
    config = api.RecommendConfig()
    ctx = api._context(ds, model.standardiser_, config)
    a, i = ctx.ok.nonzero()
    x = api.candidate_matrix(ctx, model, a, i)
    codes = __import__("numpy").asarray(ctx.items.codes, dtype=object)[i]
    raw_s, _ = _django.median_time(lambda: model.predict_gain(x, codes), RUNS)
    _django.figure("candidate_pairs", len(a), "rows")
    _django.figure("raw_predict_s", raw_s, "s")
    _django.figure("score_vs_raw_predict_ratio", score_s / raw_s, "ratio")
    _lightgbm_floor(model, run, ctx, a, i, x, codes, raw_s)


def _lightgbm_floor(model, run, ctx, a, i, x, codes, raw_s: float) -> None:
    """The LightGBM calls scoring cannot skip, on the rows the run shows: the
    contributions its reasons are built from and the interval's bootstrap predicts,
    next to the raw predict (what the rest of the pipeline has left under 4x)."""
    import numpy as np

    shown = set(run.recommendations.values_list("employee__employee_id", "item__code"))
    ids = np.asarray(ctx.agent_ids, dtype=object)[a]
    rows = np.flatnonzero([(e, c) in shown for e, c in zip(ids, codes, strict=True)])
    xs = x[rows]
    gain = model.predict_gain(xs, codes[rows])
    contrib_s, _ = _django.median_time(lambda: model.contributions(xs, codes[rows]), RUNS)
    interval_s, _ = _django.median_time(lambda: model.interval(xs, gain), RUNS)
    _django.figure("shown_rows", len(rows), "rows")
    _django.figure("contributions_vs_raw_predict_ratio", contrib_s / raw_s, "ratio")
    _django.figure("interval_vs_raw_predict_ratio", interval_s / raw_s, "ratio")
    _django.figure("lightgbm_required_vs_raw_predict_ratio",
                   (raw_s + contrib_s + interval_s) / raw_s, "ratio")


def _add_items(path: Path, n: int) -> None:
    """Copies of existing items under new codes, so the catalogue has 60 items."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    active = [r for r in rows if r.get("active", "true") != "false"
              and r.get("mandatory", "false") != "true"]
    extra = []
    for k in range(n):
        row = dict(active[k % len(active)])
        row.update(item_code=f"BENCH-{k:02d}", title=row["title"] + f" (variant {k})",
                   xapi_activity_id="", prerequisite_codes="")
        extra.append(row)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows + extra)


if __name__ == "__main__":
    main()
