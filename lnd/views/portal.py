"""The home page: each role lands on its own start page."""

from django.core.exceptions import PermissionDenied

from lnd.models import User
from lnd.views import development, staff, team
from lnd.views.access import roles


@roles(User.Role.AGENT, User.Role.TEAM_LEAD, User.Role.LD_SPECIALIST, User.Role.ADMIN)
def home(request):
    user = request.user
    if user.role == User.Role.AGENT:
        if not user.employee_id:
            raise PermissionDenied("This account is not linked to an employee record.")
        return development.agent_home(request)
    if user.role == User.Role.TEAM_LEAD:
        return team.team_overview(request)
    return staff.staff_home(request)
