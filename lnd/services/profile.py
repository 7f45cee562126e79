"""Changes to an employee's own development profile."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from lnd.models import Employee, Role, User


def employee_set_goal_role(*, by_user: User, employee: Employee, role: Role | None) -> Employee:
    """An agent sets their own goal; a lead sets it for someone in their team."""
    own = by_user.employee_id == employee.pk and by_user.role == User.Role.AGENT
    lead = by_user.role == User.Role.TEAM_LEAD and employee.team_id is not None and \
        employee.team.lead_id == by_user.employee_id
    if not (own or lead):
        raise PermissionDenied("You cannot change this person's goal role.")
    employee.goal_role = role
    employee.save(update_fields=["goal_role"])
    return employee
