"""What each kind of job does. A handler gets the job and a progress callback and returns
{"message": str, "result": dict}; it raises PermanentJobError for failures that a retry
would not fix (the message is shown to the user)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.db import transaction

from lnd.models import ImportFileReport, Job
from lnd.services.jobs import Progress


class PermanentJobError(Exception):
    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


def handle_import(job: Job, progress: Progress) -> dict:
    from lnd.services.importer import run_import

    outcome = run_import(Path(job.params["path"]), dry_run=job.params.get("dry_run", False),
                         as_of=_as_of(job), progress=progress)
    with transaction.atomic():
        # Re-running a job (after a crash) replaces its report rather than adding to it.
        ImportFileReport.objects.filter(job=job).delete()
        ImportFileReport.objects.bulk_create(
            ImportFileReport(job=job, file_name=f.file_name, status=f.status, rows=f.rows,
                             created=f.created, updated=f.updated, unchanged=f.unchanged,
                             errors=f.errors, warnings=f.warnings)
            for f in outcome.files)
    summary = {"ok": outcome.ok, "errors": outcome.errors,
               "rejected": [f.file_name for f in outcome.files if f.status == "rejected"]}
    if not outcome.ok:
        raise PermanentJobError(_import_failure_message(summary), result=summary)
    return {"message": f"Imported {len(outcome.files)} files", "result": summary}


def _import_failure_message(summary: dict) -> str:
    parts = list(summary["errors"])
    if summary["rejected"]:
        parts.append("Rejected files: " + ", ".join(summary["rejected"]))
    return "; ".join(parts) or "Import failed"


def handle_train(job: Job, progress: Progress) -> dict:
    from lnd.services.ml_jobs import gain_model_train

    try:
        version = gain_model_train(as_of=_as_of(job), seed=job.params.get("seed", 0), job=job,
                                   progress=progress)
    except ValueError as exc:  # not enough history, no data yet
        raise PermanentJobError(str(exc)) from exc
    scoring = ""
    if job.params.get("then_score"):
        from lnd.services.scoring_jobs import ScoringRunLive, scoring_run_start

        try:  # the same one-live-run rule as a start from the API
            scoring_run_start(by_user=job.owner, as_of=_as_of(job))
        except ScoringRunLive as live:
            scoring = f" Scoring not queued: job {live.job.pk} is already scoring."
    return {"message": f"Model {version.pk} {version.status}: {version.decision}{scoring}",
            "result": {"model_version": version.pk, "status": version.status}}


def handle_recommend(job: Job, progress: Progress) -> dict:
    from lnd.services.ml_jobs import recommendations_score

    try:
        run = recommendations_score(as_of=_as_of(job), job=job, progress=progress)
    except ValueError as exc:
        raise PermanentJobError(str(exc)) from exc
    count = run.recommendations.count()
    return {"message": f"Run {run.pk}: {count} recommendations"
                       + (" (skill-gap rule: no active model)" if run.fallback else ""),
            "result": {"run": run.pk, "recommendations": count, "fallback": run.fallback}}


def handle_train_risk(job: Job, progress: Progress) -> dict:
    from lnd.services.retention import risk_model_train

    try:
        version = risk_model_train(as_of=_as_of(job), job=job, progress=progress)
    except ValueError as exc:
        raise PermanentJobError(str(exc)) from exc
    if job.params.get("then_score") and version.status == "active":
        from lnd.services.jobs import job_create

        job_create(kind=Job.Kind.SCORE_RISK, owner=job.owner, params=job.params)
    return {"message": f"Risk model {version.pk} {version.status}: {version.decision}",
            "result": {"model_version": version.pk, "status": version.status}}


def handle_score_risk(job: Job, progress: Progress) -> dict:
    from lnd.services.retention import risk_score

    try:
        run = risk_score(as_of=_as_of(job), job=job, progress=progress)
    except ValueError as exc:
        raise PermanentJobError(str(exc)) from exc
    return {"message": f"Risk run {run.pk}: {run.scores.count()} agents scored",
            "result": {"risk_run": run.pk}}


def handle_report(job: Job, progress: Progress) -> dict:
    from lnd.services.retention import retention_report_build

    try:
        cache = retention_report_build(as_of=_as_of(job), progress=progress,
                                       window_weeks=job.params.get("window_weeks", 12))
    except ValueError as exc:
        raise PermanentJobError(str(exc)) from exc
    return {"message": f"Retention report ready ({cache.data_version[:8]})",
            "result": {"report": cache.pk}}


def _as_of(job: Job) -> date | None:
    return date.fromisoformat(job.params["as_of"]) if job.params.get("as_of") else None


HANDLERS: dict[str, Callable[[Job, Progress], dict]] = {
    Job.Kind.IMPORT: handle_import,
    Job.Kind.TRAIN: handle_train,
    Job.Kind.RECOMMEND: handle_recommend,
    Job.Kind.TRAIN_RISK: handle_train_risk,
    Job.Kind.SCORE_RISK: handle_score_risk,
    Job.Kind.REPORT: handle_report,
}
