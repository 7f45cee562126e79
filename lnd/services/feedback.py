"""Feedback on recommendations: the impression log and the agent's own actions.

Every row here feeds off-policy evaluation later, so an impression keeps the rank and the
propensity with which the item was shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lnd.models import (
    AssignedBy,
    Assignment,
    Completion,
    Recommendation,
    RecommendationFeedback,
    User,
)
from lnd.selectors.scope import employees_visible_to

Action = RecommendationFeedback.Action
OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]


def recommendation_feedback(*, user: User, recommendation: Recommendation, action: str,
                            reason: str = "", rating: int | None = None
                            ) -> RecommendationFeedback:
    _check_may_act(user=user, recommendation=recommendation)
    reason = (reason or "").strip()
    if action == Action.ACCEPTED:
        with transaction.atomic():
            _open_self_assignment(user=user, recommendation=recommendation)
            return _record(user, recommendation, action)
    if action == Action.DISMISSED:
        if not reason:
            raise ValidationError({"reason": "Say why you are dismissing this recommendation."})
        return _record(user, recommendation, action, reason=reason[:300])
    if action == Action.RATED:
        _check_rating(recommendation, rating)
        return _record(user, recommendation, action, reason=reason[:300], rating=rating)
    raise ValidationError({"action": f"Unknown action {action!r}."})


def recommendations_log_shown(*, user: User, recommendations: Iterable[Recommendation]) -> None:
    RecommendationFeedback.objects.bulk_create([
        RecommendationFeedback(recommendation=r, employee_id=r.employee_id, item_id=r.item_id,
                               user=user, action=Action.SHOWN, rank=r.rank,
                               propensity=r.propensity)
        for r in recommendations])


def _check_may_act(*, user: User, recommendation: Recommendation) -> None:
    # Only the agent (or L&D/admin on their behalf) acts on a recommendation; a lead
    # acts on the coaching queue through lnd.services.coaching instead.
    if user.role == User.Role.AGENT and user.employee_id == recommendation.employee_id:
        return
    if user.role in (User.Role.LD_SPECIALIST, User.Role.ADMIN) and \
            employees_visible_to(user).filter(pk=recommendation.employee_id).exists():
        return
    raise PermissionDenied("Only the agent can act on their recommendations.")


def _check_rating(recommendation: Recommendation, rating: int | None) -> None:
    if rating is None or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Choose a rating from 1 to 5."})
    accepted = RecommendationFeedback.objects.filter(
        employee_id=recommendation.employee_id, item_id=recommendation.item_id,
        action=Action.ACCEPTED).exists()
    completed = Completion.objects.filter(
        employee_id=recommendation.employee_id, item_id=recommendation.item_id).exists()
    if not (accepted or completed):
        raise ValidationError({"rating": "You can rate an item after accepting or completing it."})


def _open_self_assignment(*, user: User, recommendation: Recommendation) -> Assignment:
    existing = Assignment.objects.filter(employee_id=recommendation.employee_id,
                                         item_id=recommendation.item_id, status__in=OPEN).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                employee_id=recommendation.employee_id, item_id=recommendation.item_id,
                status=Assignment.Status.IN_PROGRESS, assigned_by=AssignedBy.SELF,
                assigned_by_user=user, reason="Accepted a recommendation")
    except IntegrityError:  # a concurrent accept won the race: reuse its row
        return Assignment.objects.get(employee_id=recommendation.employee_id,
                                      item_id=recommendation.item_id, status__in=OPEN)


def _record(user: User, recommendation: Recommendation, action: str, **fields
            ) -> RecommendationFeedback:
    return RecommendationFeedback.objects.create(
        recommendation=recommendation, employee_id=recommendation.employee_id,
        item_id=recommendation.item_id, user=user, action=action, rank=recommendation.rank,
        propensity=recommendation.propensity, **fields)
