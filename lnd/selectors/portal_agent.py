"""Reads for one agent's development page ("My development", and a lead's agent detail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, QuerySet

from lnd.models import (
    Assignment,
    CareerPath,
    CareerPathStep,
    CoachingSession,
    Completion,
    Employee,
    Metric,
    Recommendation,
    RecommendationFeedback,
    Role,
    RoleRequirement,
    SkillAssessment,
    WeeklyPerformance,
)

TREND_WEEKS = 12
OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]


@dataclass
class SkillRow:
    skill: object
    level: int | None
    current_min: int | None
    next_min: int | None

    @property
    def missing_for_next(self) -> int:
        if self.next_min is None:
            return 0
        return max(0, self.next_min - (self.level or 0))


@dataclass
class Profile:
    role: Role | None
    next_role: Role | None
    rows: list[SkillRow] = field(default_factory=list)

    @property
    def readiness(self) -> int | None:
        """Share of the next role's requirements already met, in percent."""
        needed = [r for r in self.rows if r.next_min is not None]
        if not needed:
            return None
        return round(100 * sum(1 for r in needed if not r.missing_for_next) / len(needed))

    @property
    def missing(self) -> list[SkillRow]:
        return [r for r in self.rows if r.missing_for_next]


def skill_levels(employee: Employee) -> dict[int, int]:
    """The latest assessed level of each skill (any source)."""
    levels: dict[int, int] = {}
    for skill_id, level in SkillAssessment.objects.filter(employee=employee).order_by(
            "assessed_at").values_list("skill_id", "level"):
        levels[skill_id] = level
    return levels


def next_role_for(employee: Employee) -> Role | None:
    """The step after the current role on a path that leads to the goal role; failing
    that, the goal role itself."""
    goal = employee.goal_role
    if goal is None:
        return None
    for path in CareerPath.objects.filter(steps__role=goal).prefetch_related(
            Prefetch("steps", queryset=CareerPathStep.objects.select_related("role"))):
        roles = [s.role for s in path.steps.all()]
        if employee.role in roles and goal in roles:
            here, there = roles.index(employee.role), roles.index(goal)
            if here < there:
                return roles[here + 1]
    return goal if goal != employee.role else None


def profile_for(employee: Employee) -> Profile:
    next_role = next_role_for(employee)
    role_ids = [r.pk for r in (employee.role, next_role) if r is not None]
    requirements = RoleRequirement.objects.filter(role_id__in=role_ids).select_related("skill")
    levels = skill_levels(employee)
    rows: dict[int, SkillRow] = {}
    for req in requirements:
        row = rows.setdefault(req.skill_id, SkillRow(req.skill, levels.get(req.skill_id),
                                                     None, None))
        if employee.role and req.role_id == employee.role.pk:
            row.current_min = req.min_level
        if next_role and req.role_id == next_role.pk:
            row.next_min = req.min_level
    ordered = sorted(rows.values(), key=lambda r: (-r.missing_for_next, r.skill.name))
    return Profile(role=employee.role, next_role=next_role, rows=ordered)


@dataclass
class RecommendationView:
    rec: Recommendation
    state: str  # "open", "accepted" or "dismissed"
    rating: int | None


def recommendations_for(employee: Employee) -> list[RecommendationView]:
    recs = list(Recommendation.objects.filter(run__is_current=True, employee=employee)
                .select_related("item").order_by("rank"))
    states: dict[int, str] = {}
    ratings: dict[int, int] = {}
    for rec_id, item_id, action, rating in RecommendationFeedback.objects.filter(
            employee=employee, item_id__in=[r.item_id for r in recs]).exclude(
            action=RecommendationFeedback.Action.SHOWN).order_by("created_at", "pk").values_list(
            "recommendation_id", "item_id", "action", "rating"):
        if action == RecommendationFeedback.Action.RATED:
            ratings[item_id] = rating
        elif rec_id:
            states[rec_id] = action
    return [RecommendationView(r, states.get(r.pk, "open"), ratings.get(r.item_id))
            for r in recs]


def assignments_for(employee: Employee) -> tuple[list[Assignment], list[Assignment]]:
    """Open assignments split into (mandatory or recertification, everything else)."""
    rows = list(Assignment.objects.filter(employee=employee, status__in=OPEN)
                .select_related("item").order_by("due_date", "pk"))
    required = [a for a in rows if a.item.mandatory or a.item.recertify_months]
    return required, [a for a in rows if a not in required]


@dataclass
class Trend:
    metrics: list[Metric]
    weeks: list  # list of (week, [value or None per metric])


def trends_for(employee: Employee, weeks: int = TREND_WEEKS) -> Trend:
    latest = WeeklyPerformance.objects.filter(employee=employee).order_by(
        "-period_start").values_list("period_start", flat=True).first()
    if latest is None:
        return Trend([], [])
    rows = WeeklyPerformance.objects.filter(
        employee=employee, period_start__gt=latest - timedelta(weeks=weeks)).select_related(
        "metric").order_by("period_start")
    metrics: dict[int, Metric] = {}
    table: dict = {}
    for row in rows:
        metrics[row.metric_id] = row.metric
        table.setdefault(row.period_start, {})[row.metric_id] = row.value
    ordered = sorted(metrics.values(), key=lambda m: m.code)
    return Trend(ordered, [(week, [values.get(m.pk) for m in ordered])
                           for week, values in sorted(table.items())])


def completions_for(employee: Employee) -> QuerySet[Completion]:
    return Completion.objects.filter(employee=employee).select_related("item").order_by(
        "-completed_on")


def coaching_for(employee: Employee) -> QuerySet[CoachingSession]:
    return CoachingSession.objects.filter(employee=employee).select_related(
        "coach", "focus_skill", "target_metric", "item").order_by("-held_on", "-pk")


def career_paths() -> QuerySet[CareerPath]:
    """Every path with its steps and each step's requirements (three queries)."""
    steps = CareerPathStep.objects.select_related("role").prefetch_related(
        Prefetch("role__requirements",
                 queryset=RoleRequirement.objects.select_related("skill").order_by(
                     "skill__name")))
    return CareerPath.objects.order_by("name").prefetch_related(Prefetch("steps", queryset=steps))


def roles() -> QuerySet[Role]:
    return Role.objects.all()
