"""A coach's queue (the portal's coaching/ page): coaching recommendations from the
current run for the caller's team, and the three ways to act on one, through
lnd.services.coaching. Another team's item is a 404."""

from __future__ import annotations

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lnd.api import serializers as s
from lnd.api.fields import CodeField
from lnd.api.permissions import STAFF, R, roles
from lnd.models import AccessLog, LearningItem, Metric, Recommendation, Skill
from lnd.selectors import portal_team
from lnd.services import coaching, governance

COACHES = (R.TEAM_LEAD, *STAFF)


class QueueItemOut(s.RecommendationOut):
    employee_name = serializers.CharField(source="employee.name", read_only=True)

    class Meta(s.RecommendationOut.Meta):
        fields = ["id", "employee_id", "employee_name", *s.RecommendationOut.Meta.fields[2:]]
        read_only_fields = fields


class ApproveIn(serializers.Serializer):
    held_on = serializers.DateField()
    follow_up_date = serializers.DateField(required=False, allow_null=True)
    focus_skill = CodeField(slug_field="code", queryset=Skill.objects.all(), required=False,
                            allow_null=True)
    target_metric = CodeField(slug_field="code", queryset=Metric.objects.all(),
                              required=False, allow_null=True)
    agenda = serializers.CharField(required=False, allow_blank=True)


class AssignIn(serializers.Serializer):
    item = CodeField(slug_field="code", queryset=LearningItem.objects.all(), required=False,
                     help_text="Default: the recommended coaching item")
    due_date = serializers.DateField(required=False, allow_null=True)


class DismissIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class QueueFilter(filters.FilterSet):
    employee = filters.CharFilter(field_name="employee__employee_id")

    class Meta:
        model = Recommendation
        fields = ["employee"]


@extend_schema(tags=["development"])
class CoachingQueueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Coaching needs of the caller's team not yet approved, assigned or dismissed."""

    permission_classes = [roles(*COACHES)]
    serializer_class = QueueItemOut
    filterset_class = QueueFilter
    ordering_fields = ["rank", "score", "expected_gain"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Recommendation.objects.none()
        if self.action == "list":
            return portal_team.coaching_queue(self.request.user).select_related("run")
        # Acting: a handled item answers "already handled" (400) rather than a 404.
        return portal_team.coaching_needs(self.request.user)

    def get_serializer_class(self):
        return {"approve": ApproveIn, "assign": AssignIn, "dismiss": DismissIn}.get(
            self.action, QueueItemOut)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # Reading another person's recommendations is logged (docs/api.md).
        governance.access_log_record_many(
            viewer=request.user, subjects={r.employee for r in page},
            what=AccessLog.What.RECOMMENDATIONS, via=request.path)
        return self.get_paginated_response(QueueItemOut(page, many=True).data)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=ApproveIn, responses={201: s.CoachingSessionOut})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Schedule a coaching session for this need (the topic is the recommended item)."""
        rec = self.get_object()
        data = self._valid(ApproveIn)
        session = coaching.coaching_queue_approve(by_user=request.user, recommendation=rec,
                                                  **data)
        return Response(s.CoachingSessionOut(session).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("coaching-session-detail",
                                                     kwargs={"pk": session.pk})})

    @extend_schema(request=AssignIn, responses={201: s.AssignmentOut})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Instead of a session, assign a learning item with an optional due date."""
        rec = self.get_object()
        data = self._valid(AssignIn)
        row = coaching.coaching_queue_assign(by_user=request.user, recommendation=rec,
                                             item=data.get("item", rec.item),
                                             due_date=data.get("due_date"))
        return Response(s.AssignmentOut(row).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("assignment-detail",
                                                     kwargs={"pk": row.pk})})

    @extend_schema(request=DismissIn, responses={201: s.FeedbackOut})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Take the need off the queue, saying why."""
        rec = self.get_object()
        data = self._valid(DismissIn)
        feedback = coaching.coaching_queue_dismiss(by_user=request.user, recommendation=rec,
                                                   reason=data["reason"])
        return Response(s.FeedbackOut(feedback).data, status=status.HTTP_201_CREATED)
