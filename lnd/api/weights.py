"""The metric weights of the performance composite: everyone signed in reads them, L&D
and admin replace them (lnd.services.catalogue.metric_weights_set, which logs the change
and marks gain models trained with other weights stale, as the portal does)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lnd.api.permissions import PEOPLE, STAFF, roles
from lnd.services import catalogue, registry


class WeightsIn(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField(),
                                    help_text="Every metric's code and its weight (0 or more)")


class WeightsOut(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField())
    shares = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                   help_text="Each weight over the total")


def _weights() -> dict:
    weights = registry.current_metric_weights()
    total = sum(weights.values())
    return {"weights": weights,
            "shares": {code: (w / total if total else None) for code, w in weights.items()}}


@extend_schema(tags=["catalogue"])
class MetricWeightsView(APIView):
    permission_classes = [roles(*PEOPLE, write=STAFF)]

    @extend_schema(responses={200: WeightsOut})
    def get(self, request):
        return Response(_weights())

    @extend_schema(request=WeightsIn, responses={200: WeightsOut})
    def put(self, request):
        data = WeightsIn(data=request.data)
        data.is_valid(raise_exception=True)
        catalogue.metric_weights_set(by_user=request.user, weights=data.validated_data["weights"])
        return Response(_weights())
