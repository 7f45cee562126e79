"""REST API routes (see docs/api.md). Every named route here needs a row in
tests/access/api_table.py."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from lnd.api import (
    auth,
    catalogue,
    coaching,
    development,
    me,
    operations,
    people,
    pilots,
    weights,
    xapi,
)

router = DefaultRouter()
router.include_root_view = False
router.register("skills", catalogue.SkillViewSet, basename="skill")
router.register("roles", catalogue.RoleViewSet, basename="role")
router.register("career-paths", catalogue.CareerPathViewSet, basename="career-path")
router.register("learning-items", catalogue.LearningItemViewSet, basename="learning-item")
router.register("metrics", catalogue.MetricViewSet, basename="metric")
router.register("agents", people.AgentViewSet, basename="agent")
router.register("risk", people.RiskViewSet, basename="risk")
router.register("teams", people.TeamViewSet, basename="team")
router.register("assignments", development.AssignmentViewSet, basename="assignment")
router.register("completions", development.CompletionViewSet, basename="completion")
router.register("coaching-sessions", development.CoachingSessionViewSet,
                basename="coaching-session")
router.register("coaching-queue", coaching.CoachingQueueViewSet, basename="coaching-queue")
router.register("imports", operations.ImportViewSet, basename="import")
router.register("jobs", operations.JobViewSet, basename="job")
router.register("training-runs", operations.TrainingRunViewSet, basename="training-run")
router.register("scoring-runs", operations.ScoringRunViewSet, basename="scoring-run")
router.register("pilots", pilots.PilotViewSet, basename="pilot")
router.register("model-versions", operations.ModelVersionViewSet, basename="model-version")
router.register("reports", operations.ReportViewSet, basename="report")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("metric-weights/", weights.MetricWeightsView.as_view(), name="metric-weights"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/access-log/", me.AccessLogView.as_view(), name="me-access-log"),
    path("me/pulse/", me.PulseView.as_view(), name="me-pulse"),
    path("me/export/", me.ExportView.as_view(), name="me-export"),
    # xAPI clients post to ".../statements" exactly; no redirect either way.
    re_path(r"^xapi/statements/?$", xapi.StatementsView.as_view(), name="xapi-statements"),
    *router.urls,
]
