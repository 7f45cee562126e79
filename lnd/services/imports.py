"""Imports started from the portal or the API: keep the upload, queue a job."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from lnd.models import Job
from lnd.services.jobs import job_create


def import_upload(*, by_user, uploaded_file: UploadedFile, dry_run: bool = False) -> Job:
    """Store an uploaded .zip and queue its import; the job row reports the outcome."""
    name = Path(uploaded_file.name or "").name
    if not name.lower().endswith(".zip"):
        raise ValidationError({"file": "Upload the import as a .zip of the CSV files."})
    if uploaded_file.size > settings.LND_IMPORT_MAX_FILE_BYTES:
        raise ValidationError({"file": f"The file is larger than "
                                       f"{settings.LND_IMPORT_MAX_FILE_BYTES} bytes."})
    upload_dir = Path(settings.LND_UPLOAD_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    target = upload_dir / f"{uuid.uuid4().hex}.zip"
    with target.open("wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    return job_create(kind=Job.Kind.IMPORT, owner=by_user,
                      params={"path": str(target), "original_name": name,
                              "dry_run": dry_run})
