"""Randomised pilots for L&D and admin: list, start one from eligibility criteria,
read one with its arms, power and result (lnd.services.pilots, as the portal)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from lnd.api.fields import CodeField
from lnd.api.permissions import STAFF, roles
from lnd.models import Employee, LearningItem, Pilot
from lnd.services import pilots


class PilotIn(serializers.Serializer):
    """Types and the bounds the schema shows; the rules (known codes, an active item, the
    start date, at least 10 eligible) are lnd.services.pilots.pilot_create's, as for the
    portal."""

    name = serializers.CharField(max_length=200)
    item = CodeField(slug_field="code", queryset=LearningItem.objects.all())
    teams = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                  default=list, max_length=500,
                                  help_text="Team codes; empty = every team")
    sites = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                  default=list, max_length=500,
                                  help_text="Site names; empty = every site")
    roles = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                  default=list, max_length=500,
                                  help_text="Job role codes; empty = every role")
    work_arrangement = serializers.ChoiceField(
        choices=Employee.WorkArrangement.choices, required=False, allow_blank=True, default="",
        help_text="Empty = any")
    employment_type = serializers.ChoiceField(
        choices=Employee.EmploymentType.choices, required=False, allow_blank=True, default="",
        help_text="Empty = any")
    hired_within_months = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        max_value=pilots.MAX_HIRED_WITHIN_MONTHS, help_text="Empty = any tenure")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1,
                                    help_text="Default: a random seed, kept on the pilot")
    start_date = serializers.DateField(
        required=False, allow_null=True,
        help_text="Today (the default) or later, within a year: the item is assigned today, "
                  "so an earlier start would count weeks without it as pilot weeks")
    due_days = serializers.IntegerField(required=False, default=28, min_value=1,
                                        max_value=366)


class PilotOut(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True,
                                       allow_null=True, default=None)
    treated = serializers.IntegerField(source="n_treated", read_only=True)
    control = serializers.IntegerField(source="n_control", read_only=True)

    class Meta:
        model = Pilot
        fields = ["id", "name", "item", "status", "criteria", "seed", "start_date", "due_date",
                  "created_by", "created_at", "treated", "control"]
        read_only_fields = fields


class PilotArmsOut(serializers.Serializer):
    treated = serializers.IntegerField(help_text="Agents assigned the item")
    control = serializers.IntegerField()
    treated_completed = serializers.IntegerField(
        help_text="Of the treated, completed the item since the start (uptake)")
    control_completed = serializers.IntegerField(
        help_text="Of the control group, completed it anyway since the start")


class PilotReportOut(serializers.Serializer):
    due = serializers.DateField(help_text="The first day the result can be ready")
    last_week = serializers.DateField(help_text="The 8th week from the start week: the "
                                                "result waits for its data")
    latest_week = serializers.DateField(allow_null=True,
                                        help_text="Latest imported week of performance")
    ready = serializers.BooleanField()
    min_group_size = serializers.IntegerField()
    arms = PilotArmsOut()
    power = serializers.JSONField(
        allow_null=True, help_text="Stated when the pilot started, before any outcome: "
                                   "mde_80 (smallest difference detectable at 80% power), "
                                   "outcome_sd, computed_from_weeks_before, n_treated, "
                                   "n_control; or a note why it could not be stated")
    result = serializers.JSONField(
        allow_null=True,
        help_text="null until ready; then computed once per data version: difference in "
                  "change (8 weeks after − 4 before) between the arms, ci_low, ci_high, "
                  "p_value, the means and the n with data, and suppressed=false; when an "
                  "arm has fewer than min_group_size agents with outcome data only "
                  "n_treated_assigned, n_control_assigned and suppressed=true")


class PilotDetailOut(PilotOut):
    report = PilotReportOut(read_only=True, help_text="lnd.services.pilots.pilot_report")

    class Meta(PilotOut.Meta):
        fields = [*PilotOut.Meta.fields, "report"]
        read_only_fields = fields


@extend_schema(tags=["operations"])
class PilotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    permission_classes = [roles(*STAFF)]
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "start_date"]

    def get_queryset(self):
        return pilots.pilots_with_counts()

    def get_serializer_class(self):
        return {"create": PilotIn, "retrieve": PilotDetailOut}.get(self.action, PilotOut)

    def retrieve(self, request, *args, **kwargs):
        pilot = self.get_object()
        # the cached, due-date path the portal reads: no analysis is run per request
        pilot.report = pilots.pilot_report(pilot=pilot)
        return Response(PilotDetailOut(pilot).data)

    @extend_schema(responses={201: PilotOut})
    def create(self, request, *args, **kwargs):
        data = PilotIn(data=request.data)
        data.is_valid(raise_exception=True)
        pilot = pilots.pilot_create(by_user=request.user, **data.validated_data)
        return Response(PilotOut(self.get_queryset().get(pk=pilot.pk)).data,
                        status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("pilot-detail", kwargs={"pk": pilot.pk})})
