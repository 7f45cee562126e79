"""Agents and what is read about them: profile, performance, recommendations, risk.

Every lookup goes through lnd.selectors.scope (another person's record is a 404); every
read of an individual's performance, risk or recommendations by someone else is written to
the access log; a works-council site hides individual performance and risk (404)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lnd.api import serializers as s
from lnd.api.permissions import DEVELOPMENT_READERS, PEOPLE, RISK_READERS, STAFF, R, roles
from lnd.models import AccessLog, Employee, Recommendation, RiskScore, Team, WeeklyPerformance
from lnd.selectors import development
from lnd.selectors.scope import employee_for, employees_visible_to
from lnd.services import feedback, governance, profile
from recommender.suppression import MIN_GROUP

ADVICE_HEADER = "X-Advice"
PERFORMANCE_WEEKS = 26
# Item titles are the one part of a cached body that can change under the same key.
RECOMMENDATIONS_CACHE_SECONDS = 60


class AgentFilter(filters.FilterSet):
    team = filters.CharFilter(field_name="team__code")
    role = filters.CharFilter(field_name="role__code")

    class Meta:
        model = Employee
        fields = ["team", "role", "status", "work_arrangement", "employment_type"]


@extend_schema(tags=["people"])
class AgentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The roster as the caller may see it. Read-only: role, team and status come from HR
    imports, never from an API body."""

    permission_classes = [roles(*PEOPLE)]
    serializer_class = s.AgentOut
    lookup_field = "employee_id"
    lookup_value_regex = "[^/]+"
    filterset_class = AgentFilter
    ordering_fields = ["name", "employee_id", "hire_date"]

    def get_queryset(self):
        return employees_visible_to(self.request.user).select_related(
            "team", "role", "goal_role").order_by("name", "pk")

    def get_object(self):
        employee = employee_for(self.request.user, self.kwargs["employee_id"])
        governance.access_log_record(viewer=self.request.user, subject=employee,
                                     what=AccessLog.What.PROFILE, via=self.request.path)
        return employee

    @extend_schema(request=s.GoalRoleIn, responses={200: s.AgentOut})
    @action(detail=True, methods=["post"], url_path="goal-role", url_name="goal-role",
            permission_classes=[roles(R.AGENT, R.TEAM_LEAD)])
    def goal_role(self, request, employee_id=None):
        employee = employee_for(request.user, employee_id)
        data = s.GoalRoleIn(data=request.data)
        data.is_valid(raise_exception=True)
        profile.employee_set_goal_role(by_user=request.user, employee=employee,
                                       role=data.validated_data["goal_role"])
        return Response(s.AgentOut(employee_for(request.user, employee_id)).data)

    @extend_schema(request=None, responses={200: s.ErasureOut})
    @action(detail=True, methods=["post"], permission_classes=[roles(R.ADMIN)])
    def erase(self, request, employee_id=None):
        employee = employee_for(request.user, employee_id)
        tombstone = governance.employee_erase(by_user=request.user, employee=employee)
        return Response({"erased_employee_id": tombstone.employee_id,
                         "erased_at": tombstone.erased_at})

    @extend_schema(responses={200: s.PerformanceOut})
    @action(detail=True, methods=["get"],
            permission_classes=[roles(R.AGENT, R.TEAM_LEAD, R.LD_SPECIALIST)])
    def performance(self, request, employee_id=None):
        employee = _individual(request, employee_id, AccessLog.What.PERFORMANCE)
        weeks = list(WeeklyPerformance.objects.filter(employee=employee)
                     .order_by("-period_start", "metric__code")
                     .values("period_start", "metric__code", "value")[:PERFORMANCE_WEEKS * 10])
        rows = [{"period_start": w["period_start"], "metric": w["metric__code"],
                 "value": w["value"]} for w in weeks]
        return Response({"employee_id": employee.employee_id, "weeks": rows})

    @extend_schema(responses={200: s.RecommendationListOut})
    @action(detail=True, methods=["get"], permission_classes=[roles(*DEVELOPMENT_READERS,
                                                                    R.ADMIN)])
    def recommendations(self, request, employee_id=None):
        employee = employee_for(request.user, employee_id, related=())
        governance.access_log_record(viewer=request.user, subject=employee,
                                     what=AccessLog.What.RECOMMENDATIONS, via=request.path)
        # The body depends only on the rows shown: cached under a key naming them (one
        # light query), so a new run or a re-scored agent is never served stale.
        key = development.recommendations_cache_key(employee)
        body = cache.get(key) if key else None
        if body is None:
            body = _recommendations_body(employee)
            if key:
                cache.set(key, body, RECOMMENDATIONS_CACHE_SECONDS)
        return Response(body, headers={ADVICE_HEADER: "recommendation; not a decision"})

    @extend_schema(request=s.FeedbackIn, responses={201: s.FeedbackOut})
    @action(detail=True, methods=["post"],
            url_path=r"recommendations/(?P<recommendation_id>[0-9]+)/feedback",
            url_name="recommendation-feedback",
            permission_classes=[roles(R.AGENT, R.LD_SPECIALIST, R.ADMIN)])
    def recommendation_feedback(self, request, employee_id=None, recommendation_id=None):
        employee = employee_for(request.user, employee_id)
        recommendation = get_object_or_404(development.recommendations_for(employee),
                                           pk=recommendation_id)
        data = s.FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = feedback.recommendation_feedback(user=request.user, recommendation=recommendation,
                                               **data.validated_data)
        return Response(s.FeedbackOut(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.RiskOut})
    @action(detail=True, methods=["get"], permission_classes=[roles(*RISK_READERS)])
    def risk(self, request, employee_id=None):
        employee = _individual(request, employee_id, AccessLog.What.RISK)
        score = get_object_or_404(
            RiskScore.objects.select_related("run", "employee__team"),
            run__is_current=True, employee=employee)
        return Response(s.RiskOut(score).data, headers={ADVICE_HEADER: "risk estimate; advice"})


def _recommendations_body(employee: Employee) -> dict:
    run = development.current_run()
    rows = development.recommendations_for(employee).select_related(
        "employee", "run") if run else Recommendation.objects.none()
    return {"advice": True, "notice": s.ADVICE_NOTICE, "as_of": run.as_of if run else None,
            "fallback": bool(run and run.fallback),
            "results": s.RecommendationOut(rows, many=True).data}


def _individual(request, employee_id: str, what: str) -> Employee:
    """An individual view: in scope, not hidden by the site's works council, logged."""
    employee = employee_for(request.user, employee_id)
    if governance.individual_views_hidden(viewer=request.user, employee=employee):
        raise Http404("Individual views are switched off at this site.")
    governance.access_log_record(viewer=request.user, subject=employee, what=what,
                                 via=request.path)
    return employee


class RiskFilter(filters.FilterSet):
    team = filters.CharFilter(field_name="employee__team__code")
    min_risk = filters.NumberFilter(field_name="risk_90d", lookup_expr="gte")

    class Meta:
        model = RiskScore
        fields = ["team", "min_risk"]


@extend_schema(tags=["people"])
class RiskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Attrition risk from the current risk run: a lead's own team, or L&D. Never agents.
    Agents at a works-council site that hides individual views are left out."""

    permission_classes = [roles(*RISK_READERS)]
    serializer_class = s.RiskOut
    filterset_class = RiskFilter
    ordering_fields = ["risk_90d"]
    ordering = ["-risk_90d"]

    def get_queryset(self):
        visible = governance.exclude_hidden_sites(employees_visible_to(self.request.user))
        return RiskScore.objects.filter(run__is_current=True, employee__in=visible) \
            .select_related("run", "employee__team").order_by("-risk_90d", "pk")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data)
        subjects = Employee.objects.filter(employee_id__in=[r["employee_id"] for r in rows])
        governance.access_log_record_many(viewer=request.user, subjects=subjects,
                                          what=AccessLog.What.RISK, via=request.path)
        response[ADVICE_HEADER] = "risk estimate; advice"
        return response


@extend_schema(tags=["people"])
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [roles(R.TEAM_LEAD, *STAFF)]
    serializer_class = s.TeamOut
    queryset = Team.objects.none()  # for the schema; get_queryset scopes
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        user = self.request.user
        teams = Team.objects.select_related("site", "lead").order_by("name", "pk")
        if user.role == R.TEAM_LEAD:
            return teams.filter(lead_id=user.employee_id)
        return teams

    @extend_schema(responses={200: s.TeamPerformanceOut})
    @action(detail=True, methods=["get"],
            permission_classes=[roles(R.TEAM_LEAD, R.LD_SPECIALIST)])
    def performance(self, request, code=None):
        """Weekly team means per metric, over cells of at least MIN_GROUP agents; works
        at every site (an aggregate, not an individual view)."""
        team = self.get_object()
        cells = (WeeklyPerformance.objects.filter(employee__team=team,
                                                  employee__status="active")
                 .values("period_start", "metric__code")
                 .annotate(mean=Avg("value"), agents=Count("employee", distinct=True))
                 .filter(agents__gte=MIN_GROUP).order_by("-period_start", "metric__code"))
        weeks = [{"period_start": c["period_start"], "metric": c["metric__code"],
                  "mean": c["mean"], "agents": c["agents"]}
                 for c in cells[:PERFORMANCE_WEEKS * 10]]
        return Response({"team": team.code, "min_group_size": MIN_GROUP, "weeks": weeks})

