"""Reads for a team lead: team overview, coaching queue, coaching evidence.

Every list here costs a fixed number of queries however many agents it shows: per-agent
figures come from one grouped query each, joined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lnd.models import (
    Assignment,
    CoachingSession,
    Employee,
    Interaction,
    LearningItem,
    Metric,
    QAEvaluation,
    Recommendation,
    RecommendationFeedback,
    RiskRun,
    RiskScore,
    User,
    WeeklyPerformance,
)
from lnd.selectors.scope import employees_visible_to

KPI_WEEKS = 8
HANDLED = [RecommendationFeedback.Action.ACCEPTED, RecommendationFeedback.Action.DISMISSED]
OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]
SORTS = {"name", "kpi_change", "last_coaching", "open_recs", "overdue", "risk"}


@dataclass(frozen=True)
class Member:
    """What the team table shows of an agent, read as values: 50 model instances, each
    with its team, site and role, cost more CPU than the query that reads them."""
    pk: int
    employee_id: str
    name: str
    role_name: str | None


@dataclass
class AgentRow:
    employee: Member
    hidden: bool  # the site's works council hides individual performance and risk
    kpi_values: list[float]
    last_coaching: date | None
    open_recs: int
    overdue: int
    risk: RiskScore | None

    # Computed once per row: a 50-agent page reads each several times while rendering.
    @cached_property
    def kpi_change(self) -> float | None:
        if self.hidden or len(self.kpi_values) < 2:
            return None
        return self.kpi_values[-1] - self.kpi_values[0]

    @cached_property
    def sparkline(self) -> str:
        """SVG polyline points of the KPI in an 80×20 box (higher value = higher line)."""
        values = self.kpi_values
        if self.hidden or len(values) < 2:
            return ""
        low, span = min(values), (max(values) - min(values)) or 1.0
        step = 80 / (len(values) - 1)
        return " ".join(f"{i * step:.1f},{18 - 16 * (v - low) / span:.1f}"
                        for i, v in enumerate(values))

    @cached_property
    def kpi_text(self) -> str:
        """The latest value and its change over the window, e.g. "0.81 (+0.04)"."""
        if not self.kpi_values:
            return ""
        text = f"{self.kpi_values[-1]:.2f}"
        if self.kpi_change is None:
            return text
        change = round(self.kpi_change, 2) + 0.0  # + 0.0: no "-0.00"
        return f"{text} ({'+' if change > 0 else ''}{change:.2f})"

    @cached_property
    def risk_percent(self) -> int | None:
        return None if self.risk is None else round(self.risk.risk_90d * 100)

    @cached_property
    def risk_level(self) -> str:
        """The badge: bad from 50%, warn from 25%."""
        if self.risk is None:
            return ""
        return "bad" if self.risk.risk_90d >= 0.5 else "warn" if self.risk.risk_90d >= 0.25 \
            else "good"

    @cached_property
    def risk_drivers_text(self) -> str:
        return "; ".join((self.risk.drivers or [])[:2]) if self.risk else ""


def team_members(user: User) -> QuerySet[Employee]:
    members = employees_visible_to(user).filter(status=Employee.Status.ACTIVE)
    if user.employee_id:
        members = members.exclude(pk=user.employee_id)
    return members


def headline_metric() -> Metric | None:
    """The KPI a trend is shown for: the metric weighted most in the composite."""
    return Metric.objects.order_by("-weight", "code").first()


@dataclass
class TeamOverview:
    rows: list[AgentRow]
    # Coaching needs waiting in the whole team (the coaching queue's length), counted with
    # the open recommendations; None when a search narrowed the rows.
    queue_count: int | None


def team_overview(user: User, *, metric: Metric | None, query: str = "", sort: str = "name",
                  at_risk_only: bool = False) -> TeamOverview:
    members = team_members(user).order_by("pk").values(
        "pk", "employee_id", "name", "role__name", "team__site__hide_individual_views",
    ).annotate(last_coaching=Max("coaching_sessions__held_on"))
    if query:
        members = members.filter(Q(name__icontains=query) | Q(employee_id__icontains=query))
    members = list(members)
    ids = [m["pk"] for m in members]
    kpis = _kpi_values(ids, metric)
    open_recs, open_coaching = _open_recommendation_counts(ids)
    overdue = _overdue_required_counts(ids)
    risks = _risk_scores(ids)
    rows = []
    for m in members:
        pk, hidden = m["pk"], bool(m["team__site__hide_individual_views"])
        rows.append(AgentRow(Member(pk, m["employee_id"], m["name"], m["role__name"]), hidden,
                             [] if hidden else kpis.get(pk, []), m["last_coaching"],
                             open_recs.get(pk, 0), overdue.get(pk, 0),
                             None if hidden else risks.get(pk)))
    if at_risk_only:
        rows = [r for r in rows if r.risk and r.risk.risk_90d >= 0.5]
    return TeamOverview(_sorted(rows, sort, metric),
                        None if query else sum(open_coaching.values()))


def _sorted(rows: list[AgentRow], sort: str, metric: Metric | None) -> list[AgentRow]:
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "name"
    getters = {
        "name": lambda r: r.employee.name.lower(),
        "kpi_change": lambda r: r.kpi_change if metric is None or metric.higher_is_better
        else -r.kpi_change if r.kpi_change is not None else None,
        "last_coaching": lambda r: r.last_coaching or date.min,  # never coached first
        "open_recs": lambda r: r.open_recs,
        "overdue": lambda r: r.overdue,
        "risk": lambda r: r.risk.risk_90d if r.risk else None,
    }
    present = [r for r in rows if getters[key](r) is not None]
    absent = [r for r in rows if getters[key](r) is None]
    return sorted(present, key=getters[key], reverse=descending) + absent


def _kpi_values(ids: list[int], metric: Metric | None) -> dict[int, list[float]]:
    if metric is None or not ids:
        return {}
    latest = WeeklyPerformance.objects.filter(metric=metric, employee_id__in=ids).aggregate(
        m=Max("period_start"))["m"]
    if latest is None:
        return {}
    values: dict[int, list[float]] = {}
    for employee_id, value in WeeklyPerformance.objects.filter(
            metric=metric, employee_id__in=ids,
            period_start__gt=latest - timedelta(weeks=KPI_WEEKS)).order_by(
            "period_start").values_list("employee_id", "value"):
        values.setdefault(employee_id, []).append(value)
    return values


def _open_recommendation_counts(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Open recommendations per agent, all of them and the coaching needs among them (the
    rows coaching_queue lists)."""
    handled = RecommendationFeedback.objects.filter(recommendation=OuterRef("pk"),
                                                    action__in=HANDLED)
    counts = (Recommendation.objects.filter(run__is_current=True, employee_id__in=ids)
              .exclude(Exists(handled)).values("employee_id")
              .annotate(n=Count("pk"),
                        coaching=Count("pk", filter=Q(item__kind=LearningItem.Kind.COACHING)))
              .values_list("employee_id", "n", "coaching"))
    everything, coaching = {}, {}
    for employee_id, n, n_coaching in counts:
        everything[employee_id], coaching[employee_id] = n, n_coaching
    return everything, coaching


def _overdue_required_counts(ids: list[int]) -> dict[int, int]:
    return dict(Assignment.objects.filter(
        employee_id__in=ids, status__in=OPEN, due_date__lt=timezone.localdate()).filter(
        Q(item__mandatory=True) | Q(item__recertify_months__isnull=False))
        .values("employee_id").annotate(n=Count("pk")).values_list("employee_id", "n"))


def _risk_scores(ids: list[int]) -> dict[int, RiskScore]:
    return {s.employee_id: s for s in RiskScore.objects.filter(
        run__is_current=True, employee_id__in=ids)}


def current_risk_run() -> RiskRun | None:
    return RiskRun.objects.filter(is_current=True).first()


def coaching_queue(user: User) -> QuerySet[Recommendation]:
    handled = RecommendationFeedback.objects.filter(recommendation=OuterRef("pk"),
                                                    action__in=HANDLED)
    return (Recommendation.objects.filter(
        run__is_current=True, item__kind=LearningItem.Kind.COACHING,
        employee__in=team_members(user)).exclude(Exists(handled))
        .select_related("employee", "item").order_by("employee__name", "rank"))


def queued_recommendation(user: User, pk: int) -> Recommendation:
    return get_object_or_404(coaching_queue(user), pk=pk)


def coaching_needs(user: User) -> QuerySet[Recommendation]:
    """The queue's items handled or not: acting on a handled one can then say so."""
    return Recommendation.objects.filter(
        run__is_current=True, item__kind=LearningItem.Kind.COACHING,
        employee__in=team_members(user)).select_related("employee", "item")


def overdue_follow_ups(user: User) -> QuerySet[CoachingSession]:
    """Sessions whose follow-up date has passed with no session held since."""
    later = CoachingSession.objects.filter(employee=OuterRef("employee"),
                                           held_on__gte=OuterRef("follow_up_date"))
    return (CoachingSession.objects.filter(
        employee__in=team_members(user), follow_up_date__lt=timezone.localdate())
        .exclude(Exists(later)).select_related("employee").order_by("follow_up_date"))


def qa_evidence(employee: Employee, skill=None, limit: int = 10) -> QuerySet[QAEvaluation]:
    rows = QAEvaluation.objects.filter(employee=employee).select_related("skill")
    if skill is not None:
        rows = rows.filter(skill=skill)
    return rows.order_by("-evaluated_on", "score")[:limit]


def interaction_evidence(employee: Employee, limit: int = 10) -> QuerySet[Interaction]:
    """Recent contacts that went badly: negative sentiment or unresolved."""
    return Interaction.objects.filter(employee=employee).filter(
        Q(customer_sentiment__lt=0) | Q(resolved=False)).order_by("-started_at")[:limit]


def sessions_for_team(user: User, limit: int = 20) -> QuerySet[CoachingSession]:
    return CoachingSession.objects.filter(employee__in=team_members(user)).select_related(
        "employee", "focus_skill").order_by("-held_on", "-pk")[:limit]
