from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lnd.models import Job, User
from lnd.selectors import development, scope


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.AGENT and user.employee_id:
        employee = scope.employee_for(user, user.employee.employee_id)
        return render(request, "portal/agent_home.html", {
            "employee": employee,
            "run": development.current_run(),
            "recommendations": development.recommendations_for(employee),
            "assignments": development.open_assignments_for(employee),
        })
    if user.role == User.Role.TEAM_LEAD:
        team = scope.employees_visible_to(user).filter(status="active").select_related(
            "role").order_by("name")
        return render(request, "portal/lead_home.html", {"team": team})
    return render(request, "portal/staff_home.html", {
        "jobs": Job.objects.order_by("-created_at")[:20],
        "run": development.current_run(),
    })
