"""Training and scoring as jobs: started from the portal, the API, a command or the
nightly schedule, run by any worker, followed through the Job row."""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import date
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lnd import conf
from lnd.models import (
    Assignment,
    Employee,
    Job,
    LearningItem,
    ModelVersion,
    Recommendation,
    RecommendationRun,
)
from lnd.services import recommendation_runs, registry
from lnd.services.jobs import Progress, job_create
from lnd.services.ml_io import dataset_from_db
from recommender import api


class AlreadyRunning(Exception):
    pass


def train_start(*, by_user=None, as_of: date | None = None, seed: int = 0,
                then_score: bool = False) -> Job:
    """Queue a training run; refused while another is queued or running. With
    `then_score`, a scoring job follows it whatever the promotion decision."""
    try:
        with transaction.atomic():
            return job_create(kind=Job.Kind.TRAIN, owner=by_user,
                              params={"as_of": as_of.isoformat() if as_of else None,
                                      "seed": seed, "then_score": then_score})
    except IntegrityError:
        raise AlreadyRunning("A training run is already queued or running.") from None


def recommend_start(*, by_user=None, as_of: date | None = None) -> Job:
    return job_create(kind=Job.Kind.RECOMMEND, owner=by_user,
                      params={"as_of": as_of.isoformat() if as_of else None})


# -- training -------------------------------------------------------------------------

def gain_model_train(*, as_of: date | None = None, seed: int = 0, job: Job | None = None,
                     progress: Progress | None = None) -> ModelVersion:
    progress = progress or (lambda fraction, message="": None)
    progress(0.05, "Reading history")
    ds = dataset_from_db(as_of=as_of)
    progress(0.2, "Training the gain model")
    result = api.train_gain_model(ds, seed=seed)
    progress(0.85, "Saving the model")
    artifact_dir = Path(settings.LND_ARTIFACT_DIR)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    path = artifact_dir / f"gain-{stamp}.model"
    sha = result.model.save(path)
    version = registry.model_record(
        kind=ModelVersion.Kind.GAIN, as_of=ds.as_of.date(), seed=seed,
        params=_plain(result.model.params), feature_names=list(result.feature_names),
        metrics=_plain(result.metrics), library_versions=_library_versions(),
        artifact_path=path, artifact_sha256=sha, data_start=result.window[0].date(),
        data_end=result.window[1].date(), job=job)
    progress(0.95, "Comparing with the baselines and the active model")
    return _gate(version, result.metrics)


def _gate(version: ModelVersion, metrics: dict) -> ModelVersion:
    if metrics.get("validation_skipped"):
        version.status = ModelVersion.Status.REJECTED
        version.decision = "Rejected: too little history for a held-out comparison."
        version.save(update_fields=["status", "decision"])
        return version
    active = registry.active_model(ModelVersion.Kind.GAIN)
    active_score = None
    if active is not None:
        # The active model's score on the same held-out period, recorded when it trained
        # on data reaching at least as far; otherwise it has none to compare and yields.
        active_score = active.metrics.get("heldout_uplift_model") \
            if active.as_of == version.as_of else None
    failures = []
    if metrics["heldout_rmse_with_gain"] > metrics["heldout_rmse_baseline_only"]:
        failures.append("its gain estimates made held-out outcomes worse to predict")
    return registry.model_gate(
        candidate=version, candidate_score=metrics["heldout_uplift_model"],
        baseline_scores={"popularity": metrics["heldout_uplift_popularity"],
                         "skill_gap": metrics["heldout_uplift_skill_gap"]},
        active_score=active_score, extra_failures=failures)


def _library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "lightgbm": lightgbm.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "pandas": pd.__version__}


def _plain(value):
    """JSON-safe copy (numpy scalars and NaN become plain floats / None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# -- scoring --------------------------------------------------------------------------

def recommendations_score(*, as_of: date | None = None, job: Job | None = None,
                          progress: Progress | None = None) -> RecommendationRun:
    """Score every active agent into a new run and switch to it atomically."""
    progress = progress or (lambda fraction, message="": None)
    active = registry.active_model(ModelVersion.Kind.GAIN)
    model = registry.load_model(active, api.GainModel.load) if active else None
    config = api.RecommendConfig(**conf.recommend_config_kwargs())
    progress(0.05, "Reading agents' recent history")
    ds = dataset_from_db(as_of=as_of)
    progress(0.3, "Scoring")
    recs = api.recommend(ds, model, config=config)
    run = recommendation_runs.run_start(as_of=ds.as_of.date(), model_version=active, job=job,
                                        config=asdict(config))
    try:
        _write_ranked(run, recs.ranked, progress)
        _assign_mandatory(recs.mandatory)
    except Exception:
        recommendation_runs.run_fail(run=run)
        raise
    return recommendation_runs.run_switch(run=run)


def _write_ranked(run: RecommendationRun, ranked: pd.DataFrame, progress: Progress) -> None:
    employees = dict(Employee.objects.values_list("employee_id", "pk"))
    items = dict(LearningItem.objects.values_list("code", "pk"))
    chunk = max(conf.SCORING_CHUNK_AGENTS * 5, 1)
    for start in range(0, len(ranked), chunk):
        part = ranked.iloc[start:start + chunk]
        recommendation_runs.run_add(run=run, rows=[
            Recommendation(
                run=run, employee_id=employees[r.employee_id], item_id=items[r.item_code],
                rank=int(r.rank), score=float(r.score), expected_gain=_num(r.expected_gain),
                gain_low=_num(r.gain_low), gain_high=_num(r.gain_high),
                reasons=list(r.reasons), on_path=bool(r.on_path),
                path_note=str(r.path_note or "")[:300], propensity=float(r.propensity),
                explored=bool(r.explored))
            for r in part.itertuples(index=False)])
        progress(0.3 + 0.65 * min(1.0, (start + chunk) / max(len(ranked), 1)),
                 f"Wrote {min(start + chunk, len(ranked))} of {len(ranked)} recommendations")


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _assign_mandatory(mandatory: pd.DataFrame) -> int:
    """Mandatory and recertification items are assigned by rule, never ranked."""
    if mandatory.empty:
        return 0
    employees = dict(Employee.objects.values_list("employee_id", "pk"))
    items = dict(LearningItem.objects.values_list("code", "pk"))
    rows = [Assignment(employee_id=employees[r.employee_id], item_id=items[r.item_code],
                       due_date=pd.Timestamp(r.due_date).date(), assigned_by="system",
                       reason=str(r.reason)[:300])
            for r in mandatory.itertuples(index=False)]
    # An open assignment of the same item already exists for many: the constraint skips it.
    return len(Assignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000))


def recommendations_score_agent(*, employee: Employee, as_of: date | None = None) -> int:
    """Re-score one agent inside the current run (atomically); a full run if none exists.
    The whole centre is scored so team comparisons in the reasons stay right."""
    current = RecommendationRun.objects.filter(is_current=True).first()
    if current is None:
        run = recommendations_score(as_of=as_of)
        return run.recommendations.filter(employee=employee).count()
    active = registry.active_model(ModelVersion.Kind.GAIN)
    model = registry.load_model(active, api.GainModel.load) if active else None
    ds = dataset_from_db(as_of=as_of)
    recs = api.recommend(ds, model, config=api.RecommendConfig(**conf.recommend_config_kwargs()))
    mine = recs.ranked[recs.ranked["employee_id"] == employee.employee_id]
    items = dict(LearningItem.objects.values_list("code", "pk"))
    rows = [Recommendation(
        run=current, employee=employee, item_id=items[r.item_code], rank=int(r.rank),
        score=float(r.score), expected_gain=_num(r.expected_gain), gain_low=_num(r.gain_low),
        gain_high=_num(r.gain_high), reasons=list(r.reasons), on_path=bool(r.on_path),
        path_note=str(r.path_note or "")[:300], propensity=float(r.propensity),
        explored=bool(r.explored)) for r in mine.itertuples(index=False)]
    recommendation_runs.run_replace_agent(run=current, employee=employee, rows=rows)
    return len(rows)
