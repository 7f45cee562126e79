"""A team lead's pages: team overview, coaching queue, coaching sessions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lnd.models import CoachingSession
from lnd.selectors import portal_team, scope
from lnd.services import coaching, governance
from lnd.views.access import LEAD, STAFF, is_htmx, roles
from lnd.views.forms import AssignForm, ReasonForm, SessionForm

COACHES = (LEAD, *STAFF)
SORT_OPTIONS = [("name", "Name"), ("-risk", "Highest risk"), ("kpi_change", "KPI falling most"),
                ("last_coaching", "Longest since coaching"),
                ("-open_recs", "Most open recommendations"),
                ("-overdue", "Most overdue mandatory")]


@roles(*COACHES)
def team_overview(request):
    metric = portal_team.headline_metric()
    sort = request.GET.get("sort", "name")
    overview = portal_team.team_overview(
        request.user, metric=metric, query=request.GET.get("q", "").strip(), sort=sort,
        at_risk_only=request.GET.get("at_risk") == "1")
    rows = overview.rows
    shown = [r.employee for r in rows if not r.hidden]
    governance.access_log_record_many(viewer=request.user, subjects=shown,
                                      what=("performance", "risk"), via=request.path)
    context = {"rows": rows, "metric": metric, "sort": sort, "sort_options": SORT_OPTIONS,
               "q": request.GET.get("q", ""),
               "at_risk": request.GET.get("at_risk") == "1",
               "risk_run": portal_team.current_risk_run()}
    if is_htmx(request):
        return render(request, "portal/_team_table.html", context)
    context["overdue_follow_ups"] = portal_team.overdue_follow_ups(request.user)
    context["queue_count"] = overview.queue_count if overview.queue_count is not None \
        else portal_team.coaching_queue(request.user).count()
    return render(request, "portal/team.html", context)


@roles(*COACHES)
def coaching_queue(request):
    return render(request, "portal/coaching_queue.html", {
        "queue": portal_team.coaching_queue(request.user),
        "assign_form": AssignForm(), "today": timezone.localdate(),
        "sessions": portal_team.sessions_for_team(request.user),
        "overdue_follow_ups": portal_team.overdue_follow_ups(request.user),
    })


@roles(*COACHES)
@require_POST
def queue_action(request, pk: int, action: str):
    rec = portal_team.queued_recommendation(request.user, pk)
    try:
        if action == "approve":
            held_on = forms.DateField(label="Held on").clean(request.POST.get("held_on"))
            session = coaching.coaching_queue_approve(by_user=request.user, recommendation=rec,
                                                      held_on=held_on)
            messages.success(request, f"Session scheduled with {rec.employee.name}.")
            return redirect("session_edit", pk=session.pk)
        if action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_errors(form))
            coaching.coaching_queue_assign(by_user=request.user, recommendation=rec,
                                           item=form.cleaned_data["item"],
                                           due_date=form.cleaned_data["due_date"])
            messages.success(request, f"Assigned {form.cleaned_data['item']} to "
                                      f"{rec.employee.name}.")
        elif action == "dismiss":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Say why you are dismissing this coaching need.")
            coaching.coaching_queue_dismiss(by_user=request.user, recommendation=rec,
                                            reason=form.cleaned_data["reason"])
            messages.success(request, f"Dismissed for {rec.employee.name}.")
        else:
            raise Http404("No such action")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("coaching_queue")


@roles(*COACHES)
def session_new(request, employee_id: str):
    employee = scope.employee_for(request.user, employee_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = coaching.coaching_session_create(by_user=request.user, employee=employee,
                                                       **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Coaching session recorded.")
            return redirect("session_edit", pk=session.pk)
    return _session_page(request, employee, form, None)


@roles(*COACHES)
def session_edit(request, pk: int):
    session = get_object_or_404(CoachingSession.objects.filter(
        employee__in=scope.employees_visible_to(request.user)).select_related("employee"), pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            coaching.coaching_session_update(by_user=request.user, session=session, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Coaching session saved.")
            return redirect("session_edit", pk=session.pk)
    return _session_page(request, session.employee, form, session)


def _session_page(request, employee, form, session):
    skill = form["focus_skill"].value() if form.is_bound else (
        session.focus_skill_id if session else None)
    hidden = governance.individual_views_hidden(viewer=request.user, employee=employee)
    if not hidden:
        for what in ("performance", "sentiment"):  # QA scores and contacts' sentiment below
            governance.access_log_record(viewer=request.user, subject=employee, what=what,
                                         via=request.path)
    return render(request, "portal/session.html", {
        "employee": employee, "form": form, "session": session, "hidden": hidden,
        "qa": [] if hidden else portal_team.qa_evidence(employee, skill=skill or None),
        "interactions": [] if hidden else portal_team.interaction_evidence(employee),
        "today": timezone.localdate(),
    })


def _errors(form) -> list[str]:
    return [f"{form.fields[name].label}: {e}" if name in form.fields else str(e)
            for name, errs in form.errors.items() for e in errs]
