"""Training and end-to-end batch scoring through the Django side.

Prints: train_recommender_s and report_retention_s (1,000 agents × 78 weeks),
score_all_s (10,000 agents × 60 items: features from the database, predict, reasons for
the top 5, write, switch) and score_vs_raw_predict_ratio (that time over LightGBM's
Booster.predict of the effect model on the same candidate matrix, timed right after each
scoring run), then what the model's lookup tables and LightGBM's own calls cost for the
predict, the reasons' contributions and the intervals. Each is the median of BENCH_RUNS
(default 3) runs.
"""

from __future__ import annotations

import csv
import os
import statistics
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

    x, ids, codes = _candidates(model, dataset_from_db())
    _django.figure("candidate_pairs", len(x), "rows")
    # Each scoring run is followed at once by the raw predict it is compared with (the
    # faster of two), and the ratio is the median of those pairs: this shared machine's
    # speed drifts by a fifth over minutes, which a ratio of two medians taken minutes
    # apart would carry.
    scores, raws, run = [], [], None
    for _ in range(RUNS):
        score_s, run = _django.median_time(lambda: ml_jobs.recommendations_score(), 1)
        scores.append(score_s)
        raws.append(min(_django.median_time(lambda: model.tau_.predict(x), 1)[0]
                        for _ in range(2)))
    _django.figure("score_all_s", statistics.median(scores), "s")
    _django.figure("score_agents", run.recommendations.values("employee").distinct().count(),
                   "agents")
    raw_s = statistics.median(raws)
    _django.figure("raw_predict_s", raw_s, "s")
    _django.figure("score_vs_raw_predict_ratio",
                   statistics.median(s / r for s, r in zip(scores, raws, strict=True)),
                   "ratio")
    _tables_vs_lightgbm(model, run, ids, codes, x, raw_s)


def _candidates(model, ds):
    """The candidate matrix scoring predicts on, with each row's agent and item; nothing
    else of the whole-centre read stays alive while scoring is timed."""
    import numpy as np

    from recommender import api

    ctx = api._context(ds, model.standardiser_, api.RecommendConfig())
    a, i = ctx.ok.nonzero()
    x = _faster_layout(model, api.candidate_matrix(ctx, model, a, i))
    return (x, np.asarray(ctx.agent_ids, dtype=object)[a],
            np.asarray(ctx.items.codes, dtype=object)[i])


def _faster_layout(model, x):
    """The candidate matrix in whichever of row- and column-major layout LightGBM's own
    predict reads faster (scoring builds it column-major)."""
    import numpy as np

    layouts = (np.ascontiguousarray(x), np.asfortranarray(x))
    return min(layouts, key=lambda m: _django.median_time(lambda: model.tau_.predict(m),
                                                          RUNS)[0])


def _tables_vs_lightgbm(model, run, ids, codes, x, raw_s: float) -> None:
    """What scoring's LightGBM work costs through the model's lookup tables
    (recommender/gain/tree_tables.py) and through LightGBM's own calls: the predict on
    every candidate, and pred_contrib plus the interval's bootstrap predicts on the rows
    the run shows (shown as ratios to the raw predict)."""
    import numpy as np

    shown = set(run.recommendations.values_list("employee__employee_id", "item__code"))
    rows = np.flatnonzero([(e, c) in shown for e, c in zip(ids, codes, strict=True)])
    xs = np.ascontiguousarray(x[rows])
    gain = model.predict_gain(xs, codes[rows])
    _django.figure("shown_rows", len(rows), "rows")
    tables = {
        "predict": lambda: model.predict_gain(x, codes),
        "contributions": lambda: model.contributions(xs, codes[rows]),
        "interval": lambda: model.interval(xs, gain),
    }
    lightgbm = {
        "contributions": lambda: model.tau_.predict(xs, pred_contrib=True),
        "interval": lambda: [b.predict(xs) for b in model.boot_],
    }
    for name, fn in tables.items():
        _django.figure(f"tables_{name}_vs_raw_predict_ratio",
                       _django.median_time(fn, RUNS)[0] / raw_s, "ratio")
    for name, fn in lightgbm.items():
        _django.figure(f"lightgbm_{name}_vs_raw_predict_ratio",
                       _django.median_time(fn, RUNS)[0] / raw_s, "ratio")


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
