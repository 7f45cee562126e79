"""L&D and admin: the retention report page, its CSV downloads, and randomised pilots."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from lnd.models import Pilot
from lnd.selectors import portal_staff
from lnd.services import pilots as pilot_service
from lnd.services import report_export
from lnd.views.access import STAFF, roles
from lnd.views.forms import PilotForm


@roles(*STAFF)
def reports(request):
    report = portal_staff.latest_report("retention")
    page = report_export.report_page(report.payload) if report else None
    return render(request, "portal/reports.html", {
        "report": report, "page": page, "payload": report.payload if report else None,
        "pilots": Pilot.objects.select_related("item").order_by("-created_at")[:10]})


@roles(*STAFF)
def report_csv(request, section: str):
    """One section of the latest cached report; nothing is recomputed."""
    if section not in report_export.SECTIONS:
        raise Http404("No such report section.")
    report = portal_staff.latest_report("retention")
    if report is None:
        raise Http404("No retention report has been computed yet.")
    as_of = report.payload.get("as_of") or report.created_at.date().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="retention-{section}-{as_of}.csv"')
    report_export.section_write_csv(response, payload=report.payload, section=section)
    return response


@roles(*STAFF)
def pilots(request):
    form = PilotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pilot = pilot_service.pilot_create(
                by_user=request.user, name=data["name"], item=data["item"],
                start_date=data["start_date"], seed=data["seed"], **form.criteria())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Pilot started: the item is assigned to "
                                      f"{pilot.members.filter(treated=True).count()} agents.")
            return redirect("pilot_detail", pk=pilot.pk)
    return render(request, "portal/pilots.html", {
        "form": form, "min_agents": pilot_service.MIN_ELIGIBLE,
        "pilots": pilot_service.pilots_with_counts()},
        status=400 if form.errors else 200)


@roles(*STAFF)
def pilot_detail(request, pk: int):
    pilot = get_object_or_404(Pilot.objects.select_related("item", "created_by"), pk=pk)
    return render(request, "portal/pilot.html", {
        "pilot": pilot, "report": pilot_service.pilot_report(pilot=pilot)})
