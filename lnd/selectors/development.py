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


def open_assignments_for(employee: Employee) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        employee=employee, status__in=["assigned", "in_progress"]).select_related(
        "item").order_by("due_date")
