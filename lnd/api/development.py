"""Assignments, completions and coaching sessions, scoped to the people the caller sees.
Writes go through the portal's services (lnd.services.assignments, .coaching)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lnd.api import serializers as s
from lnd.api.permissions import PEOPLE, R, roles
from lnd.models import Assignment, CoachingSession, Completion
from lnd.selectors.scope import employee_for, employees_visible_to
from lnd.services import assignments, coaching

CoachWrite = roles(*PEOPLE, write=(R.TEAM_LEAD, R.LD_SPECIALIST, R.ADMIN))


class _Scoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rows of the people the caller sees; anyone else's row is a 404."""

    model = None
    related = ()
    permission_classes = [roles(*PEOPLE)]

    def get_queryset(self):
        return self.model.objects.filter(
            employee__in=employees_visible_to(self.request.user)).select_related(
            *self.related).order_by("-pk")

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AssignmentFilter(filters.FilterSet):
    employee = filters.CharFilter(field_name="employee__employee_id")
    item = filters.CharFilter(field_name="item__code")

    class Meta:
        model = Assignment
        fields = ["employee", "item", "status", "assigned_by"]


@extend_schema(tags=["development"])
class AssignmentViewSet(_Scoped, mixins.CreateModelMixin):
    model = Assignment
    related = ("employee", "item")
    serializer_class = s.AssignmentOut
    filterset_class = AssignmentFilter
    ordering_fields = ["due_date", "created_at", "status"]

    def get_serializer_class(self):
        return {"create": s.AssignmentIn, "set_status": s.AssignmentStatusIn}.get(
            self.action, s.AssignmentOut)

    @extend_schema(responses={201: s.AssignmentOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.AssignmentIn)
        employee = employee_for(request.user, data.pop("employee"))
        row = assignments.assignment_create(by_user=request.user, employee=employee, **data)
        return Response(s.AssignmentOut(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignmentStatusIn, responses={200: s.AssignmentOut})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        row = self.get_object()
        data = self._valid(s.AssignmentStatusIn)
        row = assignments.assignment_set_status(by_user=request.user, assignment=row,
                                                status=data["status"])
        return Response(s.AssignmentOut(row).data)


class CompletionFilter(filters.FilterSet):
    employee = filters.CharFilter(field_name="employee__employee_id")
    item = filters.CharFilter(field_name="item__code")
    completed_after = filters.DateFilter(field_name="completed_on", lookup_expr="gte")
    completed_before = filters.DateFilter(field_name="completed_on", lookup_expr="lte")

    class Meta:
        model = Completion
        fields = ["employee", "item", "source", "completed_after", "completed_before"]


@extend_schema(tags=["development"])
class CompletionViewSet(_Scoped):
    model = Completion
    related = ("employee", "item")
    serializer_class = s.CompletionOut
    filterset_class = CompletionFilter
    ordering_fields = ["completed_on", "score"]


class CoachingFilter(filters.FilterSet):
    employee = filters.CharFilter(field_name="employee__employee_id")
    acknowledged = filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull",
                                         exclude=True)

    class Meta:
        model = CoachingSession
        fields = ["employee", "acknowledged"]


@extend_schema(tags=["development"])
class CoachingSessionViewSet(_Scoped, mixins.CreateModelMixin):
    model = CoachingSession
    related = ("employee", "coach", "item", "focus_skill", "target_metric")
    serializer_class = s.CoachingSessionOut
    filterset_class = CoachingFilter
    ordering_fields = ["held_on", "follow_up_date"]

    def get_serializer_class(self):
        return {"create": s.CoachingSessionIn, "partial_update": s.CoachingSessionUpdateIn}.get(
            self.action, s.CoachingSessionOut)

    def get_permissions(self):
        # Agents read and acknowledge their sessions but never edit them.
        if self.action == "partial_update":
            return [CoachWrite()]
        return super().get_permissions()

    @extend_schema(responses={201: s.CoachingSessionOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.CoachingSessionIn)
        employee = employee_for(request.user, data.pop("employee"))
        row = coaching.coaching_session_create(by_user=request.user, employee=employee, **data)
        return Response(s.CoachingSessionOut(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.CoachingSessionOut})
    def partial_update(self, request, *args, **kwargs):
        """Change what the coach may change; the coached agent, the coach and the
        acknowledgement are not fields of the body (ignored if sent)."""
        session = self.get_object()
        serializer = s.CoachingSessionUpdateIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        session = coaching.coaching_session_update(by_user=request.user, session=session,
                                                   **serializer.validated_data)
        return Response(s.CoachingSessionOut(session).data)

    @extend_schema(request=None, responses={200: s.CoachingSessionOut})
    @action(detail=True, methods=["post"], permission_classes=[roles(R.AGENT)])
    def acknowledge(self, request, pk=None):
        session = coaching.coaching_session_acknowledge(by_user=request.user,
                                                        session=self.get_object())
        return Response(s.CoachingSessionOut(session).data)
