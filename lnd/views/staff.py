"""L&D and admin pages: overview, data imports, models and job progress (the reports
are in lnd/views/reports.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lnd import conf
from lnd.models import Job, ModelVersion
from lnd.selectors import development, portal_staff
from lnd.services import imports, registry
from lnd.views.access import STAFF, is_htmx, roles
from lnd.views.forms import UploadForm


def staff_home(request):
    return render(request, "portal/staff_home.html", {
        "jobs": Job.objects.order_by("-created_at")[:20],
        "run": development.current_run(),
    })


@roles(*STAFF)
def data(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_upload(by_user=request.user,
                                        uploaded_file=form.cleaned_data["file"],
                                        dry_run=form.cleaned_data["dry_run"])
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"file": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Upload received; the import is queued.")
            return redirect(f"{request.path}?job={job.pk}")
    return render(request, "portal/data.html", {
        "form": form, "job": _job_param(request), "history": portal_staff.import_history()})


@roles(*STAFF)
def job_status(request, pk: int):
    """The htmx progress partial: polls itself until the job is finished."""
    job = portal_staff.job_with_reports(pk)
    template = "portal/_job_status.html" if is_htmx(request) else "portal/job.html"
    return render(request, template, {"job": job})


@roles(*STAFF)
def models(request):
    versions = list(portal_staff.model_versions())
    return render(request, "portal/models.html", {
        "versions": [(v, _scores(v), _fairness(v)) for v in versions],
        "active": {v.kind: v for v in versions if v.status == ModelVersion.Status.ACTIVE},
        "jobs": portal_staff.train_jobs(),
        "run": development.current_run(),
        "job": _job_param(request),
    })


@roles(*STAFF)
@require_POST
def model_activate(request, pk: int):
    version = get_object_or_404(ModelVersion, pk=pk)
    if version.status == ModelVersion.Status.ACTIVE:
        messages.info(request, f"Model {version.pk} is already active.")
    else:
        registry.model_rollback(to_version=version, by=request.user.get_username())
        messages.success(request, f"Model {version.pk} is now the active {version.kind} model.")
    return redirect("models")


@roles(*STAFF)
@require_POST
def model_train(request):
    # Imported here: ml_jobs pulls in LightGBM and pandas, which web pages never need.
    from lnd.services import ml_jobs

    try:
        job = ml_jobs.train_start(by_user=request.user)
    except ml_jobs.AlreadyRunning as exc:
        messages.error(request, str(exc))
        return redirect("models")
    messages.success(request, "Training queued.")
    return redirect(f"{reverse('models')}?job={job.pk}")


def _scores(version: ModelVersion) -> list[tuple[str, float]]:
    """Held-out scores: for the recommender, the model's and each baseline's (model
    first); for the risk model, its discrimination and calibration."""
    metrics = version.metrics
    if version.kind == ModelVersion.Kind.RISK:
        return [(k.replace("_", " "), metrics[k]) for k in conf.RISK_HELDOUT_METRICS
                if isinstance(metrics.get(k), int | float)]
    prefix = conf.GAIN_GATE_METRIC + "_"
    scores = [(k.removeprefix(prefix).replace("_", " "), v) for k, v in metrics.items()
              if k.startswith(prefix) and isinstance(v, int | float)]
    return sorted(scores, key=lambda kv: kv[0] != "model")


# Columns of a model's fairness tables: (header, figure, format). The figures are
# recommender.fairness's; formatting only happens here.
_FAIRNESS_COLUMNS = {
    ModelVersion.Kind.GAIN: (
        ("Agents", "n_agents", "int"), ("Held-out exposures", "n_rows", "int"),
        ("Mean expected gain", "mean_expected_gain", "num"),
        ("Mean measured effect", "mean_effect", "num"),
        ("Gain bias (95% interval)", "gain_bias", "ci"),
        ("Items", "n_items", "int"),
        ("Item-level correlation (95% interval)", "item_corr", "ci")),
    ModelVersion.Kind.RISK: (
        ("Agents", "n_agents", "int"), ("Snapshots", "n_snapshots", "int"),
        ("Leavers", "events", "int"), ("Mean predicted", "mean_predicted", "pct"),
        ("Observed", "observed_rate", "pct"),
        ("Calibration gap (95% interval)", "calibration_gap", "ci_pct"),
        ("Expected calibration error", "ece", "pct"), ("ROC-AUC", "roc_auc", "num")),
}


def _fairness(version: ModelVersion) -> dict | None:
    """A model's fairness block (metrics["fairness"]) as display tables, or None."""
    report = version.metrics.get("fairness")
    columns = _FAIRNESS_COLUMNS.get(version.kind)
    if not isinstance(report, dict) or columns is None:
        return None
    measures = report.get("measures", {})
    tables = []
    for grouping, entries in report.get("groupings", {}).items():
        rows = [_fairness_row(e["group"], e, columns, measures) for e in entries]
        tables.append({"title": grouping.replace("_", " ").capitalize(), "rows": rows})
    return {"flags": [f"{f['grouping'].replace('_', ' ').capitalize()} {f['text']}"
                      for f in report.get("flags", [])],
            "note": report.get("note", ""), "rule": report.get("rule", {}),
            "measures": measures, "headers": [c[0] for c in columns],
            "overall": _fairness_row("Everyone", report["overall"], columns, measures)
            if report.get("overall") else None, "tables": tables}


def _fairness_row(name: str, entry: dict, columns, measures: dict) -> dict:
    if entry.get("suppressed"):
        return {"group": name, "suppressed": True, "cells": [], "flagged": []}
    cells = [_fairness_cell(entry, key, fmt) for _, key, fmt in columns]
    flagged = [measures.get(m, {}).get("label", m) for m in entry.get("flagged", [])]
    return {"group": name, "suppressed": False, "cells": cells, "flagged": flagged}


def _fairness_cell(entry: dict, key: str, fmt: str) -> str:
    value = entry.get(key)
    if value is None:
        return "not measured"
    if fmt == "int":
        return str(value)
    scale, unit, digits = {"pct": (100, "%", 1), "ci_pct": (100, " points", 1)} \
        .get(fmt, (1, "", 3))
    text = f"{value * scale:.{digits}f}{unit}"
    ci = entry.get(f"{key}_ci")
    if fmt.startswith("ci") and ci:
        text += f" ({ci[0] * scale:.{digits}f} to {ci[1] * scale:.{digits}f})"
    return text


def _job_param(request) -> Job | None:
    value = request.GET.get("job", "")
    return portal_staff.job_with_reports(int(value)) if value.isdigit() else None

