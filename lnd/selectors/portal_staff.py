"""Reads for L&D specialists and admins: change history, imports, models, reports."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from lnd.models import ChangeLog, ImportFileReport, Job, ModelVersion, ReportCache


def change_history(model: str | None = None, object_pk: str | None = None,
                   limit: int = 50) -> QuerySet[ChangeLog]:
    rows = ChangeLog.objects.select_related("user")
    if model:
        rows = rows.filter(model=model)
    if object_pk:
        rows = rows.filter(object_pk=object_pk)
    return rows.order_by("-at", "-pk")[:limit]


def import_history(limit: int = 30) -> QuerySet[Job]:
    return Job.objects.filter(kind=Job.Kind.IMPORT).select_related("owner").prefetch_related(
        Prefetch("file_reports", queryset=ImportFileReport.objects.order_by("pk"))
    ).order_by("-created_at")[:limit]


def job_with_reports(pk: int) -> Job:
    return get_object_or_404(Job.objects.prefetch_related(
        Prefetch("file_reports", queryset=ImportFileReport.objects.order_by("pk"))), pk=pk)


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.order_by("-created_at", "-pk")


def train_jobs(limit: int = 10) -> QuerySet[Job]:
    return Job.objects.filter(kind=Job.Kind.TRAIN).order_by("-created_at")[:limit]


def latest_report(kind: str) -> ReportCache | None:
    return ReportCache.objects.filter(kind=kind).order_by("-created_at").first()
