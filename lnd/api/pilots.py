"""Randomised pilots for L&D and admin: list, start one from eligibility criteria,
read one with its arm sizes and its analysis (lnd.services.pilots)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from lnd.api.fields import CodeField
from lnd.api.permissions import STAFF, roles
from lnd.models import LearningItem, Pilot
from lnd.services import pilots


class PilotIn(serializers.Serializer):
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
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1,
                                    help_text="Default: a random seed, kept on the pilot")
    start_date = serializers.DateField(required=False, allow_null=True)
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


class PilotDetailOut(PilotOut):
    analysis = serializers.SerializerMethodField(
        help_text="Difference in change (8 weeks after − 4 before) between the arms, 95% "
                  "CI, p and power; only sizes and suppressed=true when an arm has fewer "
                  "than min_group_size agents with data")

    class Meta(PilotOut.Meta):
        fields = [*PilotOut.Meta.fields, "analysis"]
        read_only_fields = fields

    def get_analysis(self, pilot) -> dict:
        return pilots.pilot_results(pilot=pilot)


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

    @extend_schema(responses={201: PilotOut})
    def create(self, request, *args, **kwargs):
        data = PilotIn(data=request.data)
        data.is_valid(raise_exception=True)
        pilot = pilots.pilot_create(by_user=request.user, **data.validated_data)
        return Response(PilotOut(self.get_queryset().get(pk=pilot.pk)).data,
                        status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("pilot-detail", kwargs={"pk": pilot.pk})})
