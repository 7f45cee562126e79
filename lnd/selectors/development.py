"""Reads for the agent's own development page."""

from __future__ import annotations

from django.db.models import QuerySet

from lnd.models import Assignment, Employee, Recommendation, RecommendationRun


def current_run() -> RecommendationRun | None:
    return RecommendationRun.objects.filter(is_current=True).select_related(
        "model_version").first()


def recommendations_for(employee: Employee) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(run__is_current=True, employee=employee).select_related(
        "item").order_by("rank")


def recommendations_cache_key(employee: Employee) -> str | None:
    """A key naming exactly the recommendation rows an agent is shown now (None when there
    are none): a switched run or a re-scored agent means new row ids, hence a new key."""
    rows = list(Recommendation.objects.filter(run__is_current=True, employee=employee)
                .order_by("rank").values_list("run_id", "pk"))
    if not rows:
        return None
    return f"recs:1:{employee.pk}:{rows[0][0]}:" + ",".join(str(pk) for _, pk in rows)


def open_assignments_for(employee: Employee) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        employee=employee, status__in=["assigned", "in_progress"]).select_related(
        "item").order_by("due_date")
