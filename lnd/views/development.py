"""An agent's development page (their home), the same page for their lead, and its
htmx partials: recommendation actions, coaching acknowledgement, goal role."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lnd.models import CoachingSession, Recommendation, RiskScore, Role
from lnd.selectors import development, portal_agent, scope
from lnd.services import coaching, feedback, governance, profile
from lnd.views.access import AGENT, LEAD, PEOPLE, STAFF, back, is_htmx, roles

ACTIONS = {"accept": "accepted", "dismiss": "dismissed", "rate": "rated"}


def development_context(request, employee) -> dict:
    user = request.user
    own = user.employee_id == employee.pk
    hidden = governance.individual_views_hidden(viewer=user, employee=employee)
    recommendations = portal_agent.recommendations_for(employee)
    required, other = portal_agent.assignments_for(employee)
    risk = None
    if not own and not hidden:
        risk = RiskScore.objects.filter(run__is_current=True, employee=employee).first()
    if own:
        feedback.recommendations_log_shown(user=user,
                                           recommendations=[v.rec for v in recommendations])
    else:
        for what in ["recommendations"] + ([] if hidden else ["performance", "sentiment", "risk"]):
            governance.access_log_record(viewer=user, subject=employee, what=what,
                                         via=request.path)
    profile_ = portal_agent.profile_for(employee)
    trend = None if hidden else portal_agent.trends_for(employee)
    return {
        "employee": employee, "own": own, "hidden": hidden, "risk": risk,
        "run": development.current_run(),
        "profile": profile_, "skill_chart": _skill_chart(profile_),
        "trend": trend, "trend_charts": _trend_charts(trend),
        "recommendations": recommendations,
        "required": required, "other_assignments": other,
        "completions": portal_agent.completions_for(employee)[:50],
        "sessions": portal_agent.coaching_for(employee),
        "roles": portal_agent.roles(),
        "may_set_goal": own or user.role == LEAD,
        "today": timezone.localdate(),
    }


def agent_home(request):
    employee = scope.employee_for(request.user, request.user.employee.employee_id)
    return render(request, "portal/development.html", development_context(request, employee))


@roles(LEAD, *STAFF)
def agent_detail(request, employee_id: str):
    employee = scope.employee_for(request.user, employee_id)
    return render(request, "portal/development.html", development_context(request, employee))


@roles(AGENT, *STAFF)
@require_POST
def recommendation_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("No such action")
    rec = get_object_or_404(Recommendation.objects.filter(
        run__is_current=True, employee__in=scope.employees_visible_to(request.user))
        .select_related("item"), pk=pk)
    error = None
    try:
        feedback.recommendation_feedback(
            user=request.user, recommendation=rec, action=ACTIONS[action],
            reason=request.POST.get("reason", ""), rating=_int(request.POST.get("rating")))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return back(request, "home")
    view = next(v for v in portal_agent.recommendations_for(rec.employee) if v.rec.pk == rec.pk)
    return render(request, "portal/_recommendation.html", {"v": view, "error": error,
                                                          "own": True})


@roles(AGENT)
@require_POST
def session_acknowledge(request, pk: int):
    session = get_object_or_404(CoachingSession.objects.select_related(
        "coach", "focus_skill", "target_metric", "item"),
        pk=pk, employee_id=request.user.employee_id)
    coaching.coaching_session_acknowledge(by_user=request.user, session=session)
    if not is_htmx(request):
        return back(request, "home")
    return render(request, "portal/_session.html", {"s": session, "own": True})


@roles(AGENT, LEAD)
@require_POST
def goal_role(request, employee_id: str):
    employee = scope.employee_for(request.user, employee_id)
    code = request.POST.get("role", "")
    role = get_object_or_404(Role, code=code) if code else None
    profile.employee_set_goal_role(by_user=request.user, employee=employee, role=role)
    messages.success(request, f"Goal role set to {role.name}." if role else "Goal role cleared.")
    return back(request, "home")


@roles(*PEOPLE)
def career_paths(request):
    return render(request, "portal/career_paths.html", {"paths": portal_agent.career_paths()})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None




def _skill_chart(p: portal_agent.Profile) -> dict:
    return {"type": "bar", "labels": [r.skill.name for r in p.rows], "max": 5, "datasets": [
        {"label": "Your level", "data": [r.level or 0 for r in p.rows]},
        {"label": f"Needed for {p.next_role.name}" if p.next_role else "Needed next",
         "data": [r.next_min for r in p.rows]},
        {"label": f"Needed for {p.role.name}" if p.role else "Needed now",
         "data": [r.current_min for r in p.rows]},
    ]}


def _trend_charts(trend: portal_agent.Trend | None) -> list[dict]:
    if not trend or not trend.weeks:
        return []
    labels = [week.isoformat() for week, _ in trend.weeks]
    return [{"id": f"trend-{m.code}", "title": m.name, "type": "line", "labels": labels,
             "datasets": [{"label": f"{m.name}{f' ({m.unit})' if m.unit else ''}",
                           "data": [values[i] for _, values in trend.weeks]}]}
            for i, m in enumerate(trend.metrics)]
