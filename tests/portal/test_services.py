"""The portal's write services: the business rules, independent of any view."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lnd.models import (
    Assignment,
    ChangeLog,
    Completion,
    LearningItem,
    Metric,
    ModelVersion,
    Recommendation,
    RecommendationFeedback,
    Role,
    RoleRequirement,
    Skill,
)
from lnd.services import assignments, catalogue, coaching, feedback, profile
from tests.access.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _coaching_rec(w):
    item = LearningItem.objects.create(code="coach-x", title="Coaching X", kind="coaching",
                                       duration_minutes=30)
    return Recommendation.objects.create(run=w.recommendation.run, employee=w.a1, item=item,
                                         rank=2, score=0.1, expected_gain=0.1, gain_low=0,
                                         gain_high=0.2, propensity=0.8)


# --- feedback ----------------------------------------------------------------------------

def test_accepting_creates_one_self_assignment_in_progress_even_twice(w):
    for _ in range(2):
        feedback.recommendation_feedback(user=w.users["agent"], recommendation=w.recommendation,
                                         action="accepted")
    open_ = Assignment.objects.get(employee=w.a1, item=w.recommendation.item)
    assert (open_.assigned_by, open_.status) == ("self", "in_progress")


def test_accepting_reuses_an_open_assignment_from_the_lead(w):
    existing = Assignment.objects.create(employee=w.a1, item=w.recommendation.item,
                                         assigned_by="lead")
    feedback.recommendation_feedback(user=w.users["agent"], recommendation=w.recommendation,
                                     action="accepted")
    assert list(Assignment.objects.filter(employee=w.a1, item=w.recommendation.item)) == [
        existing]


def test_dismissing_needs_a_reason(w):
    with pytest.raises(ValidationError):
        feedback.recommendation_feedback(user=w.users["agent"],
                                         recommendation=w.recommendation, action="dismissed")
    fb = feedback.recommendation_feedback(user=w.users["agent"],
                                          recommendation=w.recommendation, action="dismissed",
                                          reason="Already know this")
    assert fb.reason == "Already know this"


def test_rating_needs_acceptance_or_completion_and_1_to_5(w):
    agent, rec = w.users["agent"], w.recommendation
    with pytest.raises(ValidationError):
        feedback.recommendation_feedback(user=agent, recommendation=rec, action="rated", rating=4)
    Completion.objects.create(employee=w.a1, item=rec.item, completed_on=date(2025, 3, 20))
    with pytest.raises(ValidationError):
        feedback.recommendation_feedback(user=agent, recommendation=rec, action="rated", rating=6)
    fb = feedback.recommendation_feedback(user=agent, recommendation=rec, action="rated",
                                          rating=5)
    assert fb.rating == 5


def test_nobody_else_acts_on_an_agents_recommendation(w):
    for role in ("other_agent", "lead"):
        with pytest.raises(PermissionDenied):
            feedback.recommendation_feedback(user=w.users[role],
                                             recommendation=w.recommendation,
                                             action="accepted")


def test_impressions_are_logged_with_rank_and_propensity_in_one_insert(
        w, django_assert_num_queries):
    with django_assert_num_queries(1):
        feedback.recommendations_log_shown(user=w.users["agent"],
                                           recommendations=[w.recommendation])
    shown = RecommendationFeedback.objects.get(action="shown")
    assert (shown.rank, shown.propensity) == (1, w.recommendation.propensity)


# --- assignments ---------------------------------------------------------------------------

def test_assignment_create_is_idempotent_and_scoped(w):
    first = assignments.assignment_create(by_user=w.users["lead"], employee=w.a2, item=w.item2)
    again = assignments.assignment_create(by_user=w.users["lead"], employee=w.a2, item=w.item2)
    assert first == again
    with pytest.raises(PermissionDenied):
        assignments.assignment_create(by_user=w.users["other_lead"], employee=w.a2, item=w.item2)
    with pytest.raises(PermissionDenied):
        assignments.assignment_create(by_user=w.users["agent"], employee=w.a1, item=w.item2)


def test_assignment_rejects_a_past_due_date(w):
    with pytest.raises(ValidationError):
        assignments.assignment_create(by_user=w.users["lead"], employee=w.a2, item=w.item2,
                                      due_date=timezone.localdate() - timedelta(days=1))


def test_assignment_set_status_completes_and_then_is_closed(w):
    a = assignments.assignment_set_status(by_user=w.users["agent"], assignment=w.assignment,
                                          status="completed")
    assert a.completed_at is not None
    with pytest.raises(ValidationError):
        assignments.assignment_set_status(by_user=w.users["agent"], assignment=a,
                                          status="in_progress")


def test_an_agent_cannot_cancel_what_their_lead_assigned(w):
    with pytest.raises(PermissionDenied):
        assignments.assignment_set_status(by_user=w.users["agent"], assignment=w.assignment,
                                          status="cancelled")


# --- coaching --------------------------------------------------------------------------------

def test_lead_records_a_session_for_their_agent_only(w):
    s = coaching.coaching_session_create(by_user=w.users["lead"], employee=w.a1,
                                         held_on=date(2025, 4, 1), agenda="Empathy")
    assert s.session_id.startswith("portal-") and s.coach == w.lead_a
    with pytest.raises(PermissionDenied):
        coaching.coaching_session_create(by_user=w.users["other_lead"], employee=w.a1,
                                         held_on=date(2025, 4, 1))
    with pytest.raises(PermissionDenied):
        coaching.coaching_session_create(by_user=w.users["agent"], employee=w.a1,
                                         held_on=date(2025, 4, 1))


def test_follow_up_cannot_precede_the_session(w):
    with pytest.raises(ValidationError):
        coaching.coaching_session_create(by_user=w.users["lead"], employee=w.a1,
                                         held_on=date(2025, 4, 1),
                                         follow_up_date=date(2025, 3, 1))


def test_session_update_changes_only_editable_fields(w):
    coaching.coaching_session_update(by_user=w.users["lead"], session=w.session,
                                     notes="New notes")
    w.session.refresh_from_db()
    assert w.session.notes == "New notes"
    with pytest.raises(ValidationError):
        coaching.coaching_session_update(by_user=w.users["lead"], session=w.session,
                                         employee=w.a2)


def test_only_the_coached_agent_acknowledges(w):
    with pytest.raises(PermissionDenied):
        coaching.coaching_session_acknowledge(by_user=w.users["other_agent"], session=w.session)
    with pytest.raises(PermissionDenied):
        coaching.coaching_session_acknowledge(by_user=w.users["lead"], session=w.session)
    s = coaching.coaching_session_acknowledge(by_user=w.users["agent"], session=w.session)
    assert s.acknowledged_at is not None


def test_approving_a_queued_need_schedules_a_session_once(w):
    rec = _coaching_rec(w)
    session = coaching.coaching_queue_approve(by_user=w.users["lead"], recommendation=rec,
                                              held_on=date(2025, 4, 2))
    assert session.item == rec.item and session.employee == w.a1
    with pytest.raises(ValidationError):
        coaching.coaching_queue_dismiss(by_user=w.users["lead"], recommendation=rec,
                                        reason="late")


def test_dismissing_a_queued_need_needs_a_reason_and_a_coaching_item(w):
    rec = _coaching_rec(w)
    with pytest.raises(ValidationError):
        coaching.coaching_queue_dismiss(by_user=w.users["lead"], recommendation=rec, reason=" ")
    with pytest.raises(ValidationError):  # a course is not in the coaching queue
        coaching.coaching_queue_dismiss(by_user=w.users["lead"],
                                        recommendation=w.recommendation, reason="no")


def test_assigning_from_the_queue_creates_a_lead_assignment(w):
    rec = _coaching_rec(w)
    a = coaching.coaching_queue_assign(by_user=w.users["lead"], recommendation=rec,
                                       item=w.item2, due_date=None)
    assert (a.assigned_by, a.item) == ("lead", w.item2)


# --- profile ---------------------------------------------------------------------------------

def test_goal_role_is_set_by_the_agent_or_their_lead_only(w):
    profile.employee_set_goal_role(by_user=w.users["agent"], employee=w.a1, role=w.free_role)
    profile.employee_set_goal_role(by_user=w.users["lead"], employee=w.a1, role=w.role)
    assert w.a1.goal_role == w.role
    for role in ("other_agent", "other_lead", "ld"):
        with pytest.raises(PermissionDenied):
            profile.employee_set_goal_role(by_user=w.users[role], employee=w.a1, role=w.role)


# --- catalogue ---------------------------------------------------------------------------------

def test_catalogue_changes_are_logged_with_who_and_what(w):
    ld = w.users["ld"]
    skill = catalogue.skill_create(by_user=ld, code="upsell", name="Upselling")
    catalogue.skill_update(by_user=ld, skill=skill, name="Upsell")
    catalogue.skill_delete(by_user=ld, skill=skill)
    log = list(ChangeLog.objects.filter(model="skill").order_by("pk"))
    assert [c.action for c in log] == ["create", "update", "delete"]
    assert log[1].changes == {"name": ["Upselling", "Upsell"]} and log[1].user == ld


def _racing(monkeypatch, model, rival):
    """full_clean passes, then `rival()` commits the same key before our insert: what two
    people saving at once looks like to the one who comes second."""
    original = model.full_clean
    raced = []

    def full_clean(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not raced:
            raced.append(rival())

    monkeypatch.setattr(model, "full_clean", full_clean)
    return raced


def test_a_create_that_loses_a_race_is_a_field_error_not_a_crash(w, monkeypatch):
    raced = _racing(monkeypatch, Role, lambda: Role.objects.create(
        code="qa_lead", name="QA lead", family="specialist"))
    with pytest.raises(ValidationError) as exc:
        catalogue.role_create(by_user=w.users["ld"], code="qa_lead", name="QA lead",
                              family="specialist")
    assert raced and "code" in exc.value.message_dict
    assert Role.objects.filter(code="qa_lead").count() == 1
    assert not ChangeLog.objects.filter(model="role", action="create").exists()


def test_setting_a_requirement_that_a_concurrent_request_added_updates_it(w, monkeypatch):
    skill = Skill.objects.create(code="upsell", name="Upselling")
    _racing(monkeypatch, RoleRequirement, lambda: RoleRequirement.objects.create(
        role=w.role, skill=skill, min_level=2))
    requirement = catalogue.role_requirement_set(by_user=w.users["ld"], role=w.role,
                                                 skill=skill, min_level=4)
    assert RoleRequirement.objects.get(role=w.role, skill=skill) == requirement
    assert requirement.min_level == 4


def test_only_ld_and_admin_edit_the_catalogue(w):
    for role in ("agent", "lead", "integration"):
        with pytest.raises(PermissionDenied):
            catalogue.skill_create(by_user=w.users[role], code="x", name="X")


def test_catalogue_validation_errors_are_clear(w):
    with pytest.raises(ValidationError) as exc:
        catalogue.skill_create(by_user=w.users["ld"], code=w.skill.code, name="Dup")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError):
        catalogue.role_requirement_set(by_user=w.users["ld"], role=w.role, skill=w.free_skill,
                                       min_level=6)


def test_deleting_something_in_use_is_refused_with_a_message(w):
    with pytest.raises(ValidationError, match="still in use"):
        catalogue.learning_item_delete(by_user=w.users["ld"], item=w.item)  # has assignments
    assert LearningItem.objects.filter(pk=w.item.pk).exists()


def test_career_path_steps_are_replaced_in_order(w):
    ld = w.users["ld"]
    path = catalogue.career_path_create(by_user=ld, code="up", name="Up")
    third = catalogue.role_create(by_user=ld, code="lead1", name="Lead", family="leadership")
    catalogue.career_path_set_steps(by_user=ld, path=path,
                                    role_codes=["agent1", "unused-role", "lead1"])
    catalogue.career_path_set_steps(by_user=ld, path=path,
                                    role_codes=["unused-role", "agent1", "lead1"])
    assert [s.role.code for s in path.steps.order_by("step")] == [
        "unused-role", "agent1", third.code]
    with pytest.raises(ValidationError):
        catalogue.career_path_set_steps(by_user=ld, path=path, role_codes=["agent1", "agent1"])
    with pytest.raises(ValidationError):
        catalogue.career_path_set_steps(by_user=ld, path=path, role_codes=["nope"])


def test_prerequisites_may_not_form_a_cycle(w):
    ld = w.users["ld"]
    catalogue.learning_item_update(by_user=ld, item=w.item2, prerequisites=[w.item])
    catalogue.learning_item_update(by_user=ld, item=w.item3, prerequisites=[w.item2])
    with pytest.raises(ValidationError, match="depend on itself"):
        catalogue.learning_item_update(by_user=ld, item=w.item, prerequisites=[w.item3])
    with pytest.raises(ValidationError):
        catalogue.learning_item_update(by_user=ld, item=w.item, prerequisites=[w.item])


def test_learning_item_create_sets_skills(w):
    item = catalogue.learning_item_create(
        by_user=w.users["ld"], code="new", title="New", kind="course", duration_minutes=15,
        skills=[w.skill])
    assert list(item.skills.all()) == [w.skill]
    assert ChangeLog.objects.filter(model="learningitem", object_pk=str(item.pk)).exists()


def test_changing_a_metric_weight_marks_gain_models_stale(w):
    catalogue.metric_set_weight(by_user=w.users["ld"], metric=w.metric, weight=2)
    assert Metric.objects.get(pk=w.metric.pk).weight == 2
    assert ModelVersion.objects.filter(kind="gain", stale=True).count() == 2
    with pytest.raises(ValidationError):
        catalogue.metric_set_weight(by_user=w.users["ld"], metric=w.metric, weight=-1)
