"""Portal routes (included at "/" by lnd/urls.py). Every route is listed in
tests/access/portal_table.py with the status each role gets."""

from django.urls import path

from lnd.views import catalogue, development, portal, reports, staff, team

urlpatterns = [
    path("", portal.home, name="home"),
    # agent
    path("recommendations/<int:pk>/<str:action>/", development.recommendation_action,
         name="recommendation_action"),
    path("coaching/<int:pk>/acknowledge/", development.session_acknowledge,
         name="session_acknowledge"),
    path("people/<str:employee_id>/goal/", development.goal_role, name="goal_role"),
    path("paths/", development.career_paths, name="career_paths"),
    # team lead
    path("team/", team.team_overview, name="team_overview"),
    path("team/<str:employee_id>/", development.agent_detail, name="agent_detail"),
    path("team/<str:employee_id>/coaching/new/", team.session_new, name="session_new"),
    path("coaching/", team.coaching_queue, name="coaching_queue"),
    path("coaching/queue/<int:pk>/<str:action>/", team.queue_action, name="queue_action"),
    path("coaching/<int:pk>/", team.session_edit, name="session_edit"),
    # L&D and admin
    path("catalogue/", catalogue.catalogue_index, name="catalogue"),
    path("catalogue/metrics/", catalogue.metric_weights, name="metric_weights"),
    path("catalogue/history/", catalogue.change_history, name="change_history"),
    path("catalogue/roles/<int:pk>/requirements/", catalogue.requirement_set,
         name="requirement_set"),
    path("catalogue/requirements/<int:pk>/delete/", catalogue.requirement_delete,
         name="requirement_delete"),
    path("catalogue/paths/<int:pk>/steps/", catalogue.path_steps, name="path_steps"),
    path("catalogue/<str:kind>/", catalogue.catalogue_list, name="catalogue_list"),
    path("catalogue/<str:kind>/<int:pk>/", catalogue.catalogue_edit, name="catalogue_edit"),
    path("catalogue/<str:kind>/<int:pk>/delete/", catalogue.catalogue_delete,
         name="catalogue_delete"),
    path("data/", staff.data, name="data"),
    path("jobs/<int:pk>/", staff.job_status, name="job_status"),
    path("models/", staff.models, name="models"),
    path("models/train/", staff.model_train, name="model_train"),
    path("models/<int:pk>/activate/", staff.model_activate, name="model_activate"),
    path("reports/", reports.reports, name="reports"),
    path("reports/pilots/", reports.pilots, name="pilots"),
    path("reports/pilots/<int:pk>/", reports.pilot_detail, name="pilot_detail"),
    path("reports/<slug:section>.csv", reports.report_csv, name="report_csv"),
]
