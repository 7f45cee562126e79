"""Training and scoring as jobs: started from the portal, the API, a command or the
nightly schedule, run by any worker, followed through the Job row."""

from __future__ import annotations

import os
import platform
import socket
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
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
    ScoringChunk,
)
from lnd.services import recommendation_runs, registry
from lnd.services.gc_pause import collector_paused
from lnd.services.jobs import Progress, job_create, stale_cutoff
from lnd.services.ml_io import dataset_from_db, default_as_of, whole_frames
from recommender import api, fairness
from recommender.json_safe import json_safe

OPEN_ASSIGNMENT = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]

# The truth-free held-out score the promotion gate compares (recommender.api._validate).
GATE_METRIC = "heldout_item_corr"


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
    rule = fairness.Rule(**conf.fairness_rule_kwargs())  # a bad setting fails before work
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
    by_group = fairness.gain_report(result.heldout, fairness.agent_groups(ds), rule)
    version = registry.model_record(
        kind=ModelVersion.Kind.GAIN, as_of=ds.as_of.date(), seed=seed,
        params=json_safe(result.model.params), feature_names=list(result.feature_names),
        metrics=json_safe({**result.metrics, "fairness": by_group}),
        library_versions=library_versions(),
        artifact_path=path, artifact_sha256=sha, data_start=result.window[0].date(),
        data_end=result.window[1].date(), job=job)
    progress(0.95, "Comparing with the baselines and the active model")
    return _gate(version, result.metrics)


def _gate(version: ModelVersion, metrics: dict) -> ModelVersion:
    if metrics.get("validation_skipped"):
        version.status = ModelVersion.Status.REJECTED
        version.decision = "Rejected: too little history for a held-out comparison."
        version.save(update_fields=["status", "decision"])
        return decision_add_fairness(version)
    active = registry.active_model(ModelVersion.Kind.GAIN)
    active_score = None
    if active is not None:
        # The active model's score on the same held-out period, recorded when it trained
        # on data reaching at least as far; otherwise it has none to compare and yields.
        active_score = active.metrics.get(f"{GATE_METRIC}_model") \
            if active.as_of == version.as_of else None
    # The held-out RMSE with and without the gains is recorded, not gated on: the two differ
    # by well under 1% and the difference flips sign with noise (docs/recommender.md).
    version = registry.model_gate(
        candidate=version, candidate_score=metrics[f"{GATE_METRIC}_model"],
        baseline_scores={"popularity": metrics[f"{GATE_METRIC}_popularity"],
                         "skill_gap": metrics[f"{GATE_METRIC}_skill_gap"],
                         "no signal": 0.0},
        active_score=active_score)
    return decision_add_fairness(version)


def decision_add_fairness(version: ModelVersion) -> ModelVersion:
    """Append the fairness flags to the gate's decision. They inform, they do not block:
    the gap may be the data's, and the model it would keep (or the fallback rule) was
    not measured any better for that group (docs/recommender.md, Fairness)."""
    note = fairness.flag_summary(version.metrics.get("fairness"))
    version.decision = f"{version.decision} {note}"
    version.save(update_fields=["decision"])
    return version


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "lightgbm": lightgbm.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "pandas": pd.__version__}


# -- scoring --------------------------------------------------------------------------
# A scoring run is split into chunks of whole teams. The job that starts the run scores
# chunks itself and queues helpers that do the same; each chunk is claimed with a
# conditional UPDATE, and a chunk whose worker stopped heart-beating is taken over. The
# run becomes visible only when every chunk is done, in one switch.

def recommendations_score(*, as_of: date | None = None, job: Job | None = None,
                          progress: Progress | None = None) -> RecommendationRun:
    """Score every active agent into a new run (or resume this job's run after a crash)
    and switch to it atomically."""
    progress = progress or (lambda fraction, message="": None)
    run = _resume_or_start_run(job=job, as_of=as_of)
    chunks = run.chunks.count()
    helpers = min(chunks - 1, conf.SCORING_FANOUT)
    for _ in range(max(helpers, 0)):
        if job is not None:  # inline runs (a command without workers) do all the work
            from lnd.tasks import score_chunks

            score_chunks.delay(run.pk)
    while True:
        chunks_score(run=run, worker=_me(job))
        done = run.chunks.filter(state=ScoringChunk.State.DONE).count()
        progress(0.05 + 0.9 * done / max(chunks, 1), f"Scored {done} of {chunks} chunks")
        if done == chunks:
            break
        time.sleep(1)  # others are scoring; their chunks are taken over if they die
    return recommendation_runs.run_switch(run=run)


def _resume_or_start_run(*, job: Job | None, as_of: date | None) -> RecommendationRun:
    if job is not None and job.params.get("run_id"):
        run = RecommendationRun.objects.filter(pk=job.params["run_id"]).first()
        if run is not None and run.status == RecommendationRun.Status.BUILDING:
            return run
    as_of = as_of or default_as_of()
    if as_of is None:
        raise ValueError("No performance data yet: import data before scoring.")
    active = registry.active_model(ModelVersion.Kind.GAIN)
    config = api.RecommendConfig(**conf.recommend_config_kwargs())
    with transaction.atomic():
        run = recommendation_runs.run_start(as_of=as_of, model_version=active, job=job,
                                            config=asdict(config))
        ScoringChunk.objects.bulk_create(
            ScoringChunk(run=run, index=i, employee_ids=ids)
            for i, ids in enumerate(_chunk_by_team(as_of, conf.SCORING_CHUNK_AGENTS)))
        if job is not None:
            job.params = {**job.params, "run_id": run.pk}
            Job.objects.filter(pk=job.pk).update(params=job.params)
    return run


def _chunk_by_team(as_of: date, size: int) -> list[list[str]]:
    """Whole teams packed into chunks of about `size` people (a bigger team alone)."""
    people = Employee.objects.filter(status=Employee.Status.ACTIVE, hire_date__lte=as_of) \
        .order_by("team_id", "employee_id").values_list("team_id", "employee_id")
    teams: dict[int | None, list[str]] = {}
    for team_id, employee_id in people:
        teams.setdefault(team_id, []).append(employee_id)
    chunks: list[list[str]] = [[]]
    for members in teams.values():
        if chunks[-1] and len(chunks[-1]) + len(members) > size:
            chunks.append([])
        chunks[-1].extend(members)
    return [c for c in chunks if c]


def chunks_score(*, run: RecommendationRun, worker: str) -> int:
    """Claim and score chunks of `run` until none is left to claim; returns how many."""
    scored, whole = 0, None
    while (chunk := _chunk_claim(run=run, worker=worker)) is not None:
        # Catalogue, roster and development history are the same for every chunk of the
        # run: read once per worker (a sixth of a 10,000-agent run's reading otherwise).
        whole = whole if whole is not None else whole_frames(run.as_of)
        _chunk_process(chunk, worker=worker, whole=whole)
        scored += 1
    return scored


def _chunk_claim(*, run: RecommendationRun, worker: str) -> ScoringChunk | None:
    claimable = Q(state=ScoringChunk.State.QUEUED) | Q(
        state=ScoringChunk.State.RUNNING, heartbeat_at__lt=stale_cutoff())
    for chunk_id in run.chunks.filter(claimable).values_list("pk", flat=True)[:20]:
        if ScoringChunk.objects.filter(claimable, pk=chunk_id).update(
                state=ScoringChunk.State.RUNNING, worker=worker, heartbeat_at=timezone.now(),
                attempts=F("attempts") + 1):
            return ScoringChunk.objects.get(pk=chunk_id)
    return None


class _LostChunk(Exception):
    """Another worker took this chunk over (we were thought dead); it writes instead."""


def _chunk_process(chunk: ScoringChunk, *, worker: str,
                   whole: dict[str, pd.DataFrame] | None = None) -> None:
    run = chunk.run
    version = run.model_version
    model = registry.load_model(version, api.GainModel.load) if version else None
    config = api.RecommendConfig(**{**conf.recommend_config_kwargs(),
                                    **{k: v for k, v in run.config.items()
                                       if k in api.RecommendConfig.__dataclass_fields__}})
    # Rows, frames and reasons: millions of objects and no cycles (gc_pause.py).
    with collector_paused():
        ds = dataset_from_db(as_of=run.as_of, employee_ids=chunk.employee_ids,
                             scoring=True, whole=whole)
        recs = api.recommend(ds, model, config=config)
        rows = _recommendation_rows(run, recs.ranked)
        try:
            with transaction.atomic():
                # Idempotent: a retried chunk replaces what a dead attempt may have written.
                Recommendation.objects.filter(
                    run=run, employee__employee_id__in=chunk.employee_ids).delete()
                recommendation_runs.run_add(run=run, rows=rows)
                _assign_mandatory(recs.mandatory)
                if not ScoringChunk.objects.filter(
                        pk=chunk.pk, worker=worker, state=ScoringChunk.State.RUNNING).update(
                        state=ScoringChunk.State.DONE, rows=len(rows),
                        heartbeat_at=timezone.now()):
                    raise _LostChunk
        except _LostChunk:
            return


def _recommendation_rows(run: RecommendationRun, ranked: pd.DataFrame) -> list[tuple]:
    """Rows in `recommendation_runs.ROW_FIELDS` order, built column-wise (50k rows a
    chunk: per-row pandas access would cost more than the model)."""
    employees = dict(Employee.objects.filter(
        employee_id__in=ranked["employee_id"].unique().tolist()).values_list(
        "employee_id", "pk"))
    items = dict(LearningItem.objects.values_list("code", "pk"))
    n = len(ranked)

    def floats(column: str) -> list[float | None]:
        values = ranked[column].astype(float)
        return [None if v != v else v for v in values.tolist()]  # NaN -> NULL

    return list(zip(
        [run.pk] * n, [employees[e] for e in ranked["employee_id"].tolist()],
        [items[c] for c in ranked["item_code"].tolist()],
        ranked["rank"].astype(int).tolist(), ranked["score"].astype(float).tolist(),
        floats("expected_gain"), floats("gain_low"), floats("gain_high"),
        [list(r) for r in ranked["reasons"].tolist()],
        ranked["on_path"].astype(bool).tolist(),
        [str(p or "")[:300] for p in ranked["path_note"].tolist()],
        ranked["propensity"].astype(float).tolist(), ranked["explored"].astype(bool).tolist(),
        ranked["plan_week"].astype(int).tolist(), strict=True))


def _me(job: Job | None) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{job.pk if job else 'inline'}"


def _assign_mandatory(mandatory: pd.DataFrame) -> int:
    """Mandatory and recertification items are assigned by rule, never ranked."""
    if mandatory.empty:
        return 0
    people = mandatory["employee_id"].unique().tolist()
    employees = dict(Employee.objects.filter(employee_id__in=people)
                     .values_list("employee_id", "pk"))
    items = dict(LearningItem.objects.values_list("code", "pk"))
    # Most are assigned already (every night lists them again): skip those before
    # building rows; the constraint still guards against a concurrent accept.
    assigned = set(Assignment.objects.filter(
        employee_id__in=employees.values(), status__in=OPEN_ASSIGNMENT).values_list(
        "employee_id", "item_id"))
    rows = [Assignment(employee_id=employees[r.employee_id], item_id=items[r.item_code],
                       due_date=pd.Timestamp(r.due_date).date(), assigned_by="system",
                       reason=str(r.reason)[:300])
            for r in mandatory.itertuples(index=False)
            if (employees[r.employee_id], items[r.item_code]) not in assigned]
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
    as_of = as_of or default_as_of()
    ds = dataset_from_db(as_of=as_of, scoring=True)
    recs = api.recommend(ds, model, config=api.RecommendConfig(**conf.recommend_config_kwargs()))
    mine = recs.ranked[recs.ranked["employee_id"] == employee.employee_id]
    rows = _recommendation_rows(current, mine)
    recommendation_runs.run_replace_agent(run=current, employee=employee, rows=rows)
    return len(rows)
