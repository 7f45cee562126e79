"""L&D operations: imports, jobs, training, the model registry and cached reports."""

from __future__ import annotations

from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lnd.api import serializers as s
from lnd.api.permissions import STAFF, roles
from lnd.models import Job, ModelVersion, ReportCache
from lnd.services import imports, registry, scoring_jobs

StaffOnly = roles(*STAFF)


class _JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [StaffOnly]
    serializer_class = s.JobOut
    filterset_fields = ["kind", "state"]
    ordering_fields = ["created_at", "finished_at"]
    kind: str | None = None

    def get_queryset(self):
        jobs = Job.objects.select_related("owner").order_by("-created_at", "-pk")
        return jobs.filter(kind=self.kind) if self.kind else jobs


@extend_schema(tags=["operations"])
class JobViewSet(_JobViewSet):
    """Every background job: state, progress, error."""


@extend_schema(tags=["operations"])
class ImportViewSet(_JobViewSet, mixins.CreateModelMixin):
    """Upload a .zip of CSV files; poll the job for its state and every rejected row."""

    kind = Job.Kind.IMPORT
    serializer_class = s.ImportJobOut
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    filterset_fields = ["state"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("file_reports")

    def get_serializer_class(self):
        return s.ImportIn if self.action == "create" else s.ImportJobOut

    @extend_schema(responses={202: s.ImportJobOut})
    def create(self, request, *args, **kwargs):
        data = s.ImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        job = imports.import_upload(by_user=request.user,
                                    uploaded_file=data.validated_data["file"],
                                    dry_run=data.validated_data["dry_run"])
        return Response(s.ImportJobOut(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["operations"])
class TrainingRunViewSet(_JobViewSet, mixins.CreateModelMixin):
    """Training runs are jobs of kind train; a new one is refused while one is live."""

    permission_classes = [roles(*STAFF)]
    kind = Job.Kind.TRAIN
    filterset_fields = ["state"]

    def get_serializer_class(self):
        return s.TrainIn if self.action == "create" else s.JobOut

    @extend_schema(responses={202: s.JobOut, 409: None})
    def create(self, request, *args, **kwargs):
        from lnd.services import ml_jobs  # LightGBM and pandas load only when used

        data = s.TrainIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = ml_jobs.train_start(by_user=request.user, **data.validated_data)
        except ml_jobs.AlreadyRunning as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(s.JobOut(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["operations"])
class ScoringRunViewSet(_JobViewSet, mixins.CreateModelMixin):
    """Scoring runs (recommendations for every agent) are jobs of kind recommend; a new one
    is refused with 409 while one is live, and the 409 names the live job to poll."""

    kind = Job.Kind.RECOMMEND
    filterset_fields = ["state"]

    def get_serializer_class(self):
        return s.ScoreIn if self.action == "create" else s.JobOut

    @extend_schema(responses={202: s.JobOut, 409: s.JobConflictOut})
    def create(self, request, *args, **kwargs):
        data = s.ScoreIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = scoring_jobs.scoring_run_start(by_user=request.user, **data.validated_data)
        except scoring_jobs.ScoringRunLive as exc:
            return Response({"detail": str(exc), "job": exc.job.pk},
                            status=status.HTTP_409_CONFLICT,
                            headers={"Location": reverse("job-detail",
                                                         kwargs={"pk": exc.job.pk})})
        return Response(s.JobOut(job).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": reverse("job-detail", kwargs={"pk": job.pk})})


@extend_schema(tags=["operations"])
class ModelVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    permission_classes = [StaffOnly]
    serializer_class = s.ModelVersionOut
    queryset = ModelVersion.objects.order_by("-created_at", "-pk")
    filterset_fields = ["kind", "status", "stale"]
    ordering_fields = ["created_at"]

    @extend_schema(request=None, responses={200: s.ModelVersionOut})
    @action(detail=True, methods=["post"])
    def rollback(self, request, pk=None):
        version = registry.model_rollback(to_version=self.get_object(),
                                          by=request.user.get_username())
        return Response(s.ModelVersionOut(version).data)


@extend_schema(tags=["operations"])
class ReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The latest cached report of each kind (reports are computed by tasks)."""

    permission_classes = [StaffOnly]
    serializer_class = s.ReportSummaryOut
    lookup_field = "kind"
    lookup_value_regex = "[^/]+"
    pagination_class = None

    def get_queryset(self):
        latest = ReportCache.objects.values("kind").annotate(last=Max("pk")).values("last")
        return ReportCache.objects.filter(pk__in=latest).order_by("kind")

    def list(self, request, *args, **kwargs):
        return Response(s.ReportSummaryOut(self.get_queryset(), many=True).data)

    @extend_schema(responses={200: s.ReportOut},
                   parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH)])
    def retrieve(self, request, kind=None):
        report = ReportCache.objects.filter(kind=kind).order_by("-created_at", "-pk").first()
        if report is None:
            raise Http404("No report of this kind yet.")
        return Response(s.ReportOut(report).data)
