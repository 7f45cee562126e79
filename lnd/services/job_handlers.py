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

    as_of = date.fromisoformat(job.params["as_of"]) if job.params.get("as_of") else None
    outcome = run_import(Path(job.params["path"]), dry_run=job.params.get("dry_run", False),
                         as_of=as_of, progress=progress)
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


HANDLERS: dict[str, Callable[[Job, Progress], dict]] = {
    Job.Kind.IMPORT: handle_import,
}
