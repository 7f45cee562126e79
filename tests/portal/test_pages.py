"""What each portal page shows and what its forms and htmx partials do."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lnd.models import (
    AccessLog,
    Assignment,
    CareerPath,
    CoachingSession,
    Job,
    LearningItem,
    ModelVersion,
    Recommendation,
    RecommendationFeedback,
    ReportCache,
    Site,
)
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def w():
    return build_world()


def _login(client, w, role):
    client.force_login(w.users[role])
    return client


def _coaching_rec(w):
    item = LearningItem.objects.create(code="coach-x", title="Coaching on empathy",
                                       kind="coaching", duration_minutes=30)
    return Recommendation.objects.create(run=w.recommendation.run, employee=w.a1, item=item,
                                         rank=2, score=0.1, expected_gain=0.1, gain_low=-0.05,
                                         gain_high=0.2)


# --- agent ---------------------------------------------------------------------------------

def test_agent_home_shows_recommendation_session_history_and_logs_impressions(client, w):
    html = _login(client, w, "agent").get(reverse("home")).content.decode()
    assert w.recommendation.item.title in html and "Your CSAT trails the team." in html
    assert "Practised de-escalation" in html and "Acknowledge this session" in html
    assert w.item2.title in html  # learning history
    assert 'lang="en"' in html and "SECRET-PULSE-COMMENT" not in html
    assert RecommendationFeedback.objects.filter(action="shown", employee=w.a1).count() == 1
    assert not AccessLog.objects.exists()  # reading one's own page is not logged


def test_agent_home_says_honestly_when_recommendations_are_a_fallback(client, w):
    run = w.recommendation.run
    run.fallback = True
    run.save()
    html = _login(client, w, "agent").get(reverse("home")).content.decode()
    assert "No trained model is active yet" in html


def test_mandatory_items_are_shown_apart_with_overdue_due_dates(client, w):
    mandatory = LearningItem.objects.create(code="gdpr", title="Data protection", kind="course",
                                            duration_minutes=20, mandatory=True)
    Assignment.objects.create(employee=w.a1, item=mandatory, assigned_by="system",
                              due_date=timezone.localdate() - timedelta(days=3))
    html = _login(client, w, "agent").get(reverse("home")).content.decode()
    required = html.split('id="due-h"')[1].split("Other learning")[0]
    assert "Data protection" in required and "overdue" in required
    assert w.item.title not in required  # the ordinary assignment is listed apart


def test_accept_partial_returns_the_card_and_adds_the_item(client, w):
    url = reverse("recommendation_action", kwargs={"pk": w.recommendation.pk,
                                                   "action": "accept"})
    response = _login(client, w, "agent").post(url, **HX)
    assert response.status_code == 200 and "accepted" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Assignment.objects.filter(employee=w.a1, item=w.recommendation.item,
                                     assigned_by="self").exists()
    # Afterwards the card offers a rating.
    rate = reverse("recommendation_action", kwargs={"pk": w.recommendation.pk, "action": "rate"})
    html = client.post(rate, {"rating": "4"}, **HX).content.decode()
    assert "Your rating: 4 of 5" in html


def test_dismiss_without_reason_shows_the_rule_in_the_partial(client, w):
    url = reverse("recommendation_action", kwargs={"pk": w.recommendation.pk,
                                                   "action": "dismiss"})
    html = _login(client, w, "agent").post(url, {"reason": ""}, **HX).content.decode()
    assert 'role="alert"' in html and "Say why" in html


def test_acknowledge_partial(client, w):
    url = reverse("session_acknowledge", kwargs={"pk": w.session.pk})
    html = _login(client, w, "agent").post(url, **HX).content.decode()
    assert "Acknowledged" in html
    w.session.refresh_from_db()
    assert w.session.acknowledged_at is not None


def test_agent_chooses_a_goal_role_and_sees_readiness(client, w):
    _login(client, w, "agent").post(reverse("goal_role", kwargs={"employee_id":
                                                                 w.a1.employee_id}),
                                    {"role": w.free_role.code})
    w.a1.refresh_from_db()
    assert w.a1.goal_role == w.free_role


def test_career_paths_page_lists_steps_and_requirements(client, w):
    html = _login(client, w, "agent").get(reverse("career_paths")).content.decode()
    assert "Frontline" in html and "Empathy: level 2" in html


# --- lead ------------------------------------------------------------------------------------

def test_lead_sees_agent_detail_and_the_read_is_logged(client, w):
    url = reverse("agent_detail", kwargs={"employee_id": w.a1.employee_id})
    html = _login(client, w, "lead").get(url).content.decode()
    assert w.a1.name in html and "Attrition risk" in html
    assert set(AccessLog.objects.filter(subject=w.a1).values_list("what", flat=True)) == {
        "recommendations", "performance", "sentiment", "risk"}
    assert not RecommendationFeedback.objects.filter(action="shown").exists()


def test_agent_detail_shows_the_suggested_action_once_as_it_is_worded(client, w):
    from lnd.models import RiskScore

    action = "Suggested action: start \u201cEmpathy lab\u201d this week."
    RiskScore.objects.filter(employee=w.a1).update(suggested_action=action)
    url = reverse("agent_detail", kwargs={"employee_id": w.a1.employee_id})
    html = _login(client, w, "lead").get(url).content.decode()
    assert "Suggested action: start" in html and html.count("Suggested") == 1


def test_works_council_site_hides_individual_performance_and_risk(client, w):
    site = Site.objects.create(name="Council", hide_individual_views=True)
    w.team_a.site = site
    w.team_a.save()
    _login(client, w, "lead")
    html = client.get(reverse("agent_detail", kwargs={"employee_id": w.a1.employee_id})
                      ).content.decode()
    assert "works council" in html and "Attrition risk" not in html
    overview = client.get(reverse("team_overview")).content.decode()
    assert "hidden at this site" in overview and "41%" not in overview


def test_team_overview_shows_risk_and_counts_but_never_pulse(client, w):
    html = _login(client, w, "lead").get(reverse("home")).content.decode()
    assert w.a1.name in html and w.a2.name in html and w.b1.name not in html
    assert "41%" in html and "Tenure under a year" in html
    assert "SECRET-PULSE-COMMENT" not in html and "wellbeing" not in html.lower()


def test_team_overview_filters_and_sorts_as_an_htmx_partial(client, w):
    _login(client, w, "lead")
    html = client.get(reverse("team_overview"), {"q": w.a2.name}, **HX).content.decode()
    assert w.a2.name in html and w.a1.name not in html and "<html" not in html
    html = client.get(reverse("team_overview"), {"sort": "-risk"}, **HX).content.decode()
    assert html.index(w.a1.name) < html.index(w.a2.name)  # 0.41 before 0.12
    html = client.get(reverse("team_overview"), {"at_risk": "1"}, **HX).content.decode()
    assert "No agents match" in html


def test_team_overview_counts_the_coaching_queue_with_the_open_recommendations(client, w):
    from lnd.selectors import portal_team

    coaching = LearningItem.objects.create(code="coach-q", title="Coaching on pace",
                                           kind="coaching", duration_minutes=30)
    other = LearningItem.objects.create(code="course-q", title="Course on pace",
                                        kind="course", duration_minutes=30)
    run = w.recommendation.run
    for rank, (employee, item) in enumerate([(w.a1, coaching), (w.a2, coaching),
                                             (w.a2, other), (w.b1, coaching),
                                             (w.leaver, coaching)], start=2):
        Recommendation.objects.create(run=run, employee=employee, item=item, rank=rank,
                                      score=0.1, expected_gain=0.1, gain_low=0, gain_high=0.2)
    done = LearningItem.objects.create(code="coach-done", title="Coaching on tone",
                                       kind="coaching", duration_minutes=30)
    handled = Recommendation.objects.create(run=run, employee=w.a1, item=done, rank=9,
                                            score=0.1, expected_gain=0.1, gain_low=0,
                                            gain_high=0.2)
    RecommendationFeedback.objects.create(recommendation=handled, employee=w.a1, item=done,
                                          action="accepted")
    lead = w.users["lead"]
    queue = portal_team.coaching_queue(lead).count()
    assert queue == 2  # a1's and a2's open coaching needs; not b1's, the leaver's, handled
    for at_risk_only in (False, True):
        overview = portal_team.team_overview(lead, metric=None, at_risk_only=at_risk_only)
        assert overview.queue_count == queue
    assert portal_team.team_overview(lead, metric=None, query=w.a2.name).queue_count is None
    _login(client, w, "lead")
    for params in ({}, {"q": w.a2.name}, {"at_risk": "1"}):
        html = client.get(reverse("team_overview"), params).content.decode()
        assert "</a>: 2 needs waiting." in html


@pytest.mark.parametrize("n_agents", [3, 25])
def test_team_overview_query_count_does_not_grow_with_the_team(
        client, w, django_assert_max_num_queries, n_agents):
    from tests import factories as f

    for _ in range(n_agents):
        f.employee(team=w.team_a)
    _login(client, w, "lead")
    # session, user, headline metric, members (+last coaching), latest KPI week, KPI
    # values, open recommendations (+ coaching needs among them: the queue count), overdue
    # items, risk scores, two access-log inserts (+ savepoints), risk run, overdue follow-ups
    with django_assert_max_num_queries(16):
        assert client.get(reverse("team_overview")).status_code == 200


def test_coaching_queue_approve_schedules_a_session_and_empties_the_queue(client, w):
    rec = _coaching_rec(w)
    _login(client, w, "lead")
    assert "Coaching on empathy" in client.get(reverse("coaching_queue")).content.decode()
    response = client.post(reverse("queue_action", kwargs={"pk": rec.pk, "action": "approve"}),
                           {"held_on": "2025-04-02"})
    session = CoachingSession.objects.get(employee=w.a1, item=rec.item)
    assert response["Location"] == reverse("session_edit", kwargs={"pk": session.pk})
    assert "Coaching on empathy" not in client.get(reverse("coaching_queue")).content.decode()


def test_coaching_queue_assign_with_due_date(client, w):
    rec = _coaching_rec(w)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    _login(client, w, "lead").post(
        reverse("queue_action", kwargs={"pk": rec.pk, "action": "assign"}),
        {"item": w.item2.pk, "due_date": due})
    assert Assignment.objects.get(employee=w.a1, item=w.item2).due_date.isoformat() == due


def test_another_teams_lead_cannot_see_the_queue_entry(client, w):
    rec = _coaching_rec(w)
    html = _login(client, w, "other_lead").get(reverse("coaching_queue")).content.decode()
    assert "Coaching on empathy" not in html
    response = client.post(reverse("queue_action", kwargs={"pk": rec.pk, "action": "dismiss"}),
                           {"reason": "x"})
    assert response.status_code == 404


def test_lead_records_a_session_with_evidence_and_sees_it_on_the_agent(client, w):
    _login(client, w, "lead")
    url = reverse("session_new", kwargs={"employee_id": w.a1.employee_id})
    assert "Evidence" in client.get(url).content.decode()
    response = client.post(url, {"held_on": "2025-04-03", "focus_skill": w.skill.pk,
                                 "target_metric": w.metric.pk, "agenda": "Tone",
                                 "notes": "Role-played two calls",
                                 "agreed_actions": "Use the empathy script",
                                 "follow_up_date": "2025-04-17"})
    assert response.status_code == 302
    html = client.get(reverse("agent_detail", kwargs={"employee_id": w.a1.employee_id})
                      ).content.decode()
    assert "Role-played two calls" in html and "Use the empathy script" in html


def test_session_form_shows_a_clear_message_for_a_follow_up_before_the_session(client, w):
    _login(client, w, "lead")
    url = reverse("session_new", kwargs={"employee_id": w.a1.employee_id})
    html = client.post(url, {"held_on": "2025-04-03", "follow_up_date": "2025-04-01"}
                       ).content.decode()
    assert "The follow-up cannot be before the session." in html


def test_overdue_follow_ups_are_listed_for_the_lead(client, w):
    w.session.follow_up_date = date(2025, 3, 11)
    w.session.save()
    html = _login(client, w, "lead").get(reverse("home")).content.decode()
    assert "Overdue follow-ups" in html


# --- L&D --------------------------------------------------------------------------------------

def test_ld_creates_a_career_path_with_three_ordered_steps(client, w):
    _login(client, w, "ld")
    response = client.post(reverse("catalogue_list", kwargs={"kind": "paths"}),
                           {"code": "loyalty", "name": "Into loyalty"})
    path = CareerPath.objects.get(code="loyalty")
    assert response["Location"] == reverse("catalogue_edit", kwargs={"kind": "paths",
                                                                     "pk": path.pk})
    steps = reverse("path_steps", kwargs={"pk": path.pk})
    for code in ("agent1", "unused-role"):
        client.post(steps, {"op": "add", "role": code})
    client.post(steps, {"op": "up", "role": "unused-role"})
    assert [s.role.code for s in path.steps.order_by("step")] == ["unused-role", "agent1"]
    html = client.get(reverse("catalogue_edit", kwargs={"kind": "paths", "pk": path.pk})
                      ).content.decode()
    assert "Move Agent up" in html and "steps" in html


def test_catalogue_form_shows_validation_messages(client, w):
    html = _login(client, w, "ld").post(reverse("catalogue_list", kwargs={"kind": "skills"}),
                                        {"code": w.skill.code, "name": ""}).content.decode()
    assert "errorlist" in html and "already exists" in html


def test_catalogue_edit_writes_the_change_history(client, w):
    _login(client, w, "ld")
    url = reverse("catalogue_edit", kwargs={"kind": "skills", "pk": w.skill.pk})
    client.post(url, {"code": w.skill.code, "name": "Empathy and tone", "category": "",
                      "description": ""})
    html = client.get(url).content.decode()
    assert "Empathy → Empathy and tone" in html


def test_metric_weight_form(client, w):
    _login(client, w, "ld").post(reverse("metric_weights"), {"metric": w.metric.pk,
                                                             "weight": "-1"})
    w.metric.refresh_from_db()
    assert w.metric.weight == 1
    client.post(reverse("metric_weights"), {"metric": w.metric.pk, "weight": "0.5"})
    w.metric.refresh_from_db()
    assert w.metric.weight == 0.5


def test_data_upload_queues_an_import_and_polls_its_status(client, w, settings, tmp_path):
    settings.LND_UPLOAD_DIR = str(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("skills.csv", "skill_code,name,category,description\nx,X,,\n")
    buffer.seek(0)
    buffer.name = "data.zip"
    _login(client, w, "ld")
    response = client.post(reverse("data"), {"file": buffer})
    job = Job.objects.filter(kind="import").latest("created_at")
    assert response["Location"].endswith(f"?job={job.pk}")
    partial = client.get(reverse("job_status", kwargs={"pk": job.pk}), **HX).content.decode()
    if not job.is_finished:
        assert 'hx-trigger="every 1s"' in partial
    finished = client.get(reverse("job_status", kwargs={"pk": w.import_job.pk}), **HX
                          ).content.decode()
    assert "hx-trigger" not in finished and "agents.csv:3: email: not an email" in finished


def test_data_upload_rejects_a_non_zip_with_a_message(client, w):
    upload = io.BytesIO(b"a,b\n")
    upload.name = "agents.csv"
    html = _login(client, w, "ld").post(reverse("data"), {"file": upload}).content.decode()
    assert ".zip" in html and "errorlist" in html


def test_models_page_rolls_back_and_queues_training(client, w):
    _login(client, w, "ld")
    assert "Roll back to this" in client.get(reverse("models")).content.decode()
    client.post(reverse("model_activate", kwargs={"pk": w.old_model.pk}))
    w.old_model.refresh_from_db()
    assert w.old_model.status == ModelVersion.Status.ACTIVE
    response = client.post(reverse("model_train"))
    assert Job.objects.filter(kind="train").exists() and "job=" in response["Location"]


def test_reports_page_has_an_empty_state_then_shows_the_payload(client, w):
    _login(client, w, "ld")
    assert "No retention report" in client.get(reverse("reports")).content.decode()
    ReportCache.objects.create(kind="retention", data_version="v9", payload={
        "as_of": "2025-03-31", "min_group_size": 5,
        "development": {"hazard_ratio": 0.812345, "ci_low": 0.61, "ci_high": 1.07,
                        "p_value": 0.14, "n_agents": 80, "n_events": 12, "window_weeks": 12}})
    html = client.get(reverse("reports")).content.decode()
    assert "Hazard ratio, adjusted" in html and "0.81" in html and "0.61 to 1.07" in html
    assert "No ROI in this report." in html  # sections missing from the payload say so


@pytest.mark.parametrize("name,kwargs", [("catalogue_list", {"kind": "items"}),
                                         ("data", {}), ("models", {}), ("change_history", {})])
def test_staff_list_pages_have_a_fixed_query_count(client, w, django_assert_max_num_queries,
                                                   name, kwargs):
    from tests import factories as f

    for _ in range(20):
        f.item()
        Job.objects.create(kind="import")
    _login(client, w, "ld")
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_agent_home_query_count_is_fixed(client, w, django_assert_max_num_queries):
    _login(client, w, "agent")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("home")).status_code == 200


def test_a_recommendation_without_a_gain_estimate_says_so(client, w):
    Recommendation.objects.filter(pk=w.recommendation.pk).update(
        expected_gain=None, gain_low=None, gain_high=None, path_note="Targets 1 of 3 skills")
    html = _login(client, w, "agent").get(reverse("home")).content.decode()
    assert "No estimate of the gain yet" in html and "Targets 1 of 3 skills" in html


def test_path_steps_move_down_and_remove(client, w):
    _login(client, w, "ld")
    url = reverse("path_steps", kwargs={"pk": w.path.pk})
    client.post(url, {"op": "add", "role": w.free_role.code})
    client.post(url, {"op": "down", "role": w.role.code})
    assert [s.role for s in w.path.steps.order_by("step")] == [w.free_role, w.role]
    client.post(url, {"op": "remove", "role": w.role.code})
    assert [s.role for s in w.path.steps.all()] == [w.free_role]
