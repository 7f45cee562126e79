"""Storing scored recommendations so readers never see a half-written run."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from lnd.models import Recommendation, RecommendationFeedback, RecommendationRun
from lnd.services.bulk_insert import insert_many


def run_start(*, as_of, model_version=None, job=None, config: dict | None = None
              ) -> RecommendationRun:
    return RecommendationRun.objects.create(
        as_of=as_of, model_version=model_version, job=job, config=config or {},
        fallback=model_version is None)


# The columns of a row as `lnd.services.ml_jobs` builds them (foreign keys as ids).
ROW_FIELDS = ("run", "employee", "item", "rank", "score", "expected_gain", "gain_low",
              "gain_high", "reasons", "on_path", "path_note", "propensity", "explored",
              "plan_week")


def run_add(*, run: RecommendationRun, rows: Sequence[tuple]) -> int:
    """Write a chunk of a building run; invisible to readers until `run_switch`."""
    assert run.status == RecommendationRun.Status.BUILDING
    return insert_many(Recommendation, ROW_FIELDS, rows)


def run_switch(*, run: RecommendationRun) -> RecommendationRun:
    """Make `run` the current one in a single transaction."""
    with transaction.atomic():
        RecommendationRun.objects.filter(is_current=True).exclude(pk=run.pk).update(
            is_current=False)
        RecommendationRun.objects.filter(pk=run.pk).update(
            is_current=True, status=RecommendationRun.Status.COMPLETE,
            finished_at=timezone.now())
    run.refresh_from_db()
    return run


def run_fail(*, run: RecommendationRun) -> None:
    RecommendationRun.objects.filter(pk=run.pk).update(
        status=RecommendationRun.Status.FAILED, finished_at=timezone.now())


def run_replace_agent(*, run: RecommendationRun, employee, rows: Sequence[tuple]) -> None:
    """Re-score one agent inside the current run: delete and insert in one transaction."""
    with transaction.atomic():
        Recommendation.objects.filter(run=run, employee=employee).delete()
        insert_many(Recommendation, ROW_FIELDS, rows)


def runs_delete_older(*, before) -> int:
    """Delete runs created before `before`, except the current one, with their lists and
    chunks; returns how many runs. Feedback on their rows stays (it is the impression log
    training reads) and loses only its link. A nightly run adds 50,000 rows for 10,000
    agents: without this the table, and every insert into its indexes, grows for ever."""
    old = list(RecommendationRun.objects.filter(is_current=False, created_at__lt=before)
               .values_list("pk", flat=True))
    with transaction.atomic():
        RecommendationFeedback.objects.filter(recommendation__run__in=old).update(
            recommendation=None)
        for run_id in old:  # one run at a time: the delete holds each run's row ids
            Recommendation.objects.filter(run_id=run_id).only("pk").delete()
        RecommendationRun.objects.filter(pk__in=old).delete()
    return len(old)
