"""Who may see whom. Every list and every object lookup goes through these."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lnd.models import Employee, User

SEES_EVERYONE = {User.Role.LD_SPECIALIST, User.Role.ADMIN}


def employees_visible_to(user: User) -> QuerySet[Employee]:
    employees = Employee.objects.all()
    if not user.is_authenticated or not user.is_active:
        return employees.none()
    if user.role in SEES_EVERYONE:
        return employees
    if user.role == User.Role.TEAM_LEAD and user.employee_id:
        return employees.filter(team__lead_id=user.employee_id)
    if user.role == User.Role.AGENT and user.employee_id:
        return employees.filter(pk=user.employee_id)
    return employees.none()


def employee_for(user: User, employee_id: str, *,
                 related: tuple[str, ...] = ("team", "role", "goal_role")) -> Employee:
    """Another person's record is a 404, never a 403: existence is not disclosed.
    `related=()` when the caller reads none of them (a hot path saves the joins)."""
    try:
        return employees_visible_to(user).select_related(*related).get(
            employee_id=employee_id)
    except Employee.DoesNotExist:
        raise Http404("No such employee") from None
