"""Coaching: sessions a lead records with an agent, and the lead's coaching queue
(coaching recommendations from the current run)."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lnd.models import (
    AssignedBy,
    Assignment,
    CoachingSession,
    Employee,
    LearningItem,
    Recommendation,
    RecommendationFeedback,
    User,
)
from lnd.selectors.scope import employees_visible_to
from lnd.services.assignments import assignment_create

EDITABLE = {"held_on", "focus_skill", "target_metric", "item", "agenda", "notes",
            "agreed_actions", "follow_up_date"}
COACHES = {User.Role.TEAM_LEAD, User.Role.LD_SPECIALIST, User.Role.ADMIN}


def coaching_session_create(*, by_user: User, employee: Employee, held_on: date,
                            focus_skill=None, target_metric=None, item=None, agenda: str = "",
                            notes: str = "", agreed_actions: str = "",
                            follow_up_date: date | None = None) -> CoachingSession:
    _check_coach(by_user, employee)
    _check_dates(held_on, follow_up_date)
    return CoachingSession.objects.create(
        session_id=f"portal-{uuid.uuid4()}", employee=employee, coach_id=by_user.employee_id,
        held_on=held_on, focus_skill=focus_skill, target_metric=target_metric, item=item,
        agenda=agenda, notes=notes, agreed_actions=agreed_actions,
        follow_up_date=follow_up_date)


def coaching_session_update(*, by_user: User, session: CoachingSession, **fields
                            ) -> CoachingSession:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    _check_coach(by_user, session.employee)
    _check_dates(fields.get("held_on", session.held_on),
                 fields.get("follow_up_date", session.follow_up_date))
    for name, value in fields.items():
        setattr(session, name, value)
    session.save(update_fields=sorted(fields) or None)
    return session


def coaching_session_acknowledge(*, by_user: User, session: CoachingSession) -> CoachingSession:
    if by_user.role != User.Role.AGENT or by_user.employee_id != session.employee_id:
        raise PermissionDenied("Only the coached agent acknowledges a session.")
    if session.acknowledged_at is None:  # acknowledging twice keeps the first time
        session.acknowledged_at = timezone.now()
        session.save(update_fields=["acknowledged_at"])
    return session


def coaching_queue_approve(*, by_user: User, recommendation: Recommendation, held_on: date,
                           **fields) -> CoachingSession:
    _check_queue(by_user, recommendation)
    fields.setdefault("item", recommendation.item)
    with transaction.atomic():
        session = coaching_session_create(by_user=by_user, employee=recommendation.employee,
                                          held_on=held_on, **fields)
        _record(by_user, recommendation, RecommendationFeedback.Action.ACCEPTED,
                reason=f"Coaching scheduled ({session.session_id})")
    return session


def coaching_queue_assign(*, by_user: User, recommendation: Recommendation,
                          item: LearningItem, due_date: date | None = None) -> Assignment:
    """Instead of a session, assign a learning item (by default the recommended one)."""
    _check_queue(by_user, recommendation)
    with transaction.atomic():
        assignment = assignment_create(
            by_user=by_user, employee=recommendation.employee, item=item, due_date=due_date,
            assigned_by=AssignedBy.LEAD, reason="From the coaching queue")
        _record(by_user, recommendation, RecommendationFeedback.Action.ACCEPTED,
                reason=f"Assigned {item.code}")
    return assignment


def coaching_queue_dismiss(*, by_user: User, recommendation: Recommendation, reason: str
                           ) -> RecommendationFeedback:
    _check_queue(by_user, recommendation)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why you are dismissing this coaching need."})
    return _record(by_user, recommendation, RecommendationFeedback.Action.DISMISSED,
                   reason=reason.strip()[:300])


def _check_coach(by_user: User, employee: Employee) -> None:
    if by_user.role not in COACHES or (
            by_user.role == User.Role.TEAM_LEAD and not by_user.employee_id):
        raise PermissionDenied("Only coaches record coaching sessions.")
    if employee.pk == by_user.employee_id or \
            not employees_visible_to(by_user).filter(pk=employee.pk).exists():
        raise PermissionDenied("This agent is not in your team.")


def _check_dates(held_on: date, follow_up_date: date | None) -> None:
    if held_on is None:
        raise ValidationError({"held_on": "Give the date of the session."})
    if follow_up_date and follow_up_date < held_on:
        raise ValidationError({"follow_up_date": "The follow-up cannot be before the session."})


def _check_queue(by_user: User, recommendation: Recommendation) -> None:
    _check_coach(by_user, recommendation.employee)
    if recommendation.item.kind != LearningItem.Kind.COACHING:
        raise ValidationError("Only coaching recommendations are in the coaching queue.")
    handled = RecommendationFeedback.objects.filter(
        recommendation=recommendation, action__in=[RecommendationFeedback.Action.ACCEPTED,
                                                   RecommendationFeedback.Action.DISMISSED])
    if handled.exists():
        raise ValidationError("This coaching need has already been handled.")


def _record(by_user: User, recommendation: Recommendation, action: str, reason: str
            ) -> RecommendationFeedback:
    return RecommendationFeedback.objects.create(
        recommendation=recommendation, employee_id=recommendation.employee_id,
        item_id=recommendation.item_id, user=by_user, action=action, rank=recommendation.rank,
        propensity=recommendation.propensity, reason=reason)
