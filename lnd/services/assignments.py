"""Assignments of learning items: one open assignment per agent and item."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lnd.models import AssignedBy, Assignment, Employee, LearningItem, User
from lnd.selectors.scope import employees_visible_to

OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]
ASSIGNERS = {User.Role.TEAM_LEAD, User.Role.LD_SPECIALIST, User.Role.ADMIN}


def assignment_create(*, by_user: User, employee: Employee, item: LearningItem,
                      due_date: date | None = None, assigned_by: str = AssignedBy.LEAD,
                      reason: str = "") -> Assignment:
    """Idempotent: a second call for the same agent and item returns the open one."""
    _check_may_assign(by_user, employee, assigned_by)
    if not item.active:
        raise ValidationError({"item": "This learning item is no longer offered."})
    if due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date is in the past."})
    existing = _open(employee, item)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                employee=employee, item=item, due_date=due_date, assigned_by=assigned_by,
                assigned_by_user=by_user, reason=reason[:300])
    except IntegrityError:  # assignment_one_open_per_item: a concurrent call won
        return _open(employee, item)


def assignment_set_status(*, by_user: User, assignment: Assignment, status: str) -> Assignment:
    if status not in Assignment.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if not employees_visible_to(by_user).filter(pk=assignment.employee_id).exists():
        raise PermissionDenied("Not your assignment.")
    if by_user.role == User.Role.AGENT and status == Assignment.Status.CANCELLED \
            and assignment.assigned_by != AssignedBy.SELF:
        raise PermissionDenied("Only whoever assigned this item can cancel it.")
    if assignment.status in (Assignment.Status.COMPLETED, Assignment.Status.CANCELLED):
        raise ValidationError({"status": "This assignment is already closed."})
    assignment.status = status
    if status == Assignment.Status.COMPLETED:
        assignment.completed_at = timezone.now()
    assignment.save(update_fields=["status", "completed_at"])
    return assignment


def _open(employee: Employee, item: LearningItem) -> Assignment | None:
    return Assignment.objects.filter(employee=employee, item=item, status__in=OPEN).first()


def _check_may_assign(by_user: User, employee: Employee, assigned_by: str) -> None:
    if assigned_by == AssignedBy.SELF:
        allowed = by_user.employee_id == employee.pk
    else:
        allowed = by_user.role in ASSIGNERS and \
            employees_visible_to(by_user).filter(pk=employee.pk).exists()
    if not allowed:
        raise PermissionDenied("You cannot assign learning to this person.")
