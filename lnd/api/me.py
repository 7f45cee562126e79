"""The caller's own data: who looked at them, their pulse answers, everything held."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from lnd.api import serializers as s
from lnd.api.permissions import PEOPLE, roles
from lnd.models import AccessLog, Employee, PulseSurvey
from lnd.services import governance, personal_export

Anyone = roles(*PEOPLE)


def _own_employee(request) -> Employee:
    if request.user.employee_id is None:
        raise Http404("You have no employee record.")
    return Employee.objects.get(pk=request.user.employee_id)


@extend_schema(tags=["me"])
class MeView(APIView):
    permission_classes = [Anyone]

    @extend_schema(responses={200: s.MeOut})
    def get(self, request):
        user = request.user
        return Response({"username": user.get_username(), "role": user.role,
                         "employee_id": user.employee.employee_id if user.employee else None})


@extend_schema(tags=["me"])
class AccessLogView(generics.ListAPIView):
    """Who read your performance, sentiment, risk, recommendations or profile, and when."""

    permission_classes = [Anyone]
    serializer_class = s.AccessLogOut
    queryset = AccessLog.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return governance.access_log_for(employee=_own_employee(self.request))


@extend_schema(tags=["me"])
class PulseView(generics.ListAPIView):
    """Your own pulse answers: the only place any pulse answer is served."""

    permission_classes = [Anyone]
    serializer_class = s.PulseOut
    queryset = PulseSurvey.objects.none()  # for the schema; get_queryset scopes
    pagination_class = None

    def get_queryset(self):
        return governance.pulse_own(user=self.request.user)


@extend_schema(tags=["me"])
class ExportView(APIView):
    """Everything held about you, as JSON (your subject access request)."""

    permission_classes = [Anyone]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        data = personal_export.employee_export(employee=_own_employee(request))
        return Response(data, headers={
            "Content-Disposition": 'attachment; filename="my-data.json"'})
