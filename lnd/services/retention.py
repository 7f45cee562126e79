"""Retention on the Django side: the attrition-risk model (same registry and gate as the
recommender), current risk scores, the cached retention report, and a pilot's
randomisation and statistics (lnd.services.pilots is what the API and the portal call).
The statistics themselves live in recommender.retention."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from lnd import conf
from lnd.models import (
    Assignment,
    Completion,
    Employee,
    LearningItem,
    Metric,
    ModelVersion,
    Pilot,
    PilotMember,
    Recommendation,
    RecommendationFeedback,
    ReportCache,
    RiskRun,
    RiskScore,
    Separation,
    Site,
    WeeklyPerformance,
)
from lnd.services import registry
from lnd.services.jobs import Progress
from lnd.services.ml_io import dataset_from_db, default_as_of
from lnd.services.ml_jobs import decision_add_fairness, library_versions
from recommender.api import path_note_role
from recommender.fairness import Rule
from recommender.json_safe import json_safe
from recommender.retention import (
    RiskModel,
    Suggestion,
    analyse_pilot,
    assign_pilot,
    attrition_model,
    roi,
    score_agents,
)
from recommender.retention.report import build_retention_report

_quiet = lambda fraction, message="": None  # noqa: E731 - a progress sink


# -- attrition risk model --------------------------------------------------------------

def risk_model_train(*, as_of: date | None = None, job=None,
                     progress: Progress = _quiet) -> ModelVersion:
    rule = Rule(**conf.fairness_rule_kwargs())  # a bad setting fails before any work
    progress(0.05, "Reading history")
    ds = dataset_from_db(as_of=as_of)
    progress(0.2, "Evaluating on the latest held-out weeks")
    held_out = attrition_model.evaluate(ds, fairness_rule=rule)
    progress(0.6, "Training the attrition-risk model")
    model = RiskModel().fit(ds)
    artifact_dir = Path(settings.LND_ARTIFACT_DIR)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / f"risk-{timezone.now().strftime('%Y%m%dT%H%M%S%f')}.json"
    sha = model.save(path)
    version = registry.model_record(
        kind=ModelVersion.Kind.RISK, as_of=ds.as_of.date(), seed=0, params={},
        feature_names=list(model.features_), metrics=json_safe(held_out),
        library_versions=library_versions(), artifact_path=path, artifact_sha256=sha,
        data_start=ds.performance["period_start"].min().date(), data_end=ds.as_of.date(),
        job=job)
    progress(0.95, "Comparing with the base rate and the active model")
    return _risk_gate(version, held_out)


def _risk_gate(version: ModelVersion, held_out: dict) -> ModelVersion:
    """Promote only if held-out ROC-AUC beats chance (the base-rate baseline) and the
    Brier score beats always predicting the base rate, and the active model's AUC."""
    if held_out.get("roc_auc") is None:
        version.status = ModelVersion.Status.REJECTED
        version.decision = "Rejected: " + held_out.get("note", "no held-out evaluation") + "."
        version.save(update_fields=["status", "decision"])
        return decision_add_fairness(version)
    base = held_out["base_rate"]
    active = registry.active_model(ModelVersion.Kind.RISK)
    active_auc = active.metrics.get("roc_auc") if active and active.as_of == version.as_of \
        else None
    failures = []
    if held_out["brier"] >= base * (1 - base):
        failures.append(f"Brier {held_out['brier']:.4f} is no better than predicting the "
                        f"base rate ({base * (1 - base):.4f})")
    version = registry.model_gate(candidate=version, candidate_score=held_out["roc_auc"],
                                  baseline_scores={"chance (base rate)": 0.5},
                                  active_score=active_auc, extra_failures=failures)
    return decision_add_fairness(version)


def risk_score(*, as_of: date | None = None, job=None, progress: Progress = _quiet
               ) -> RiskRun:
    """Score every active agent with the active risk model; switch runs atomically."""
    active = registry.active_model(ModelVersion.Kind.RISK)
    if active is None:
        raise ValueError("No active attrition-risk model: train one first.")
    model = registry.load_model(active, RiskModel.load)
    progress(0.1, "Reading history")
    ds = dataset_from_db(as_of=as_of)
    progress(0.4, "Scoring attrition risk")
    scored = score_agents(ds, model, suggestions=risk_suggestions())
    employees = dict(Employee.objects.values_list("employee_id", "pk"))
    with transaction.atomic():
        run = RiskRun.objects.create(model_version=active, job=job, as_of=ds.as_of.date())
        RiskScore.objects.bulk_create([
            RiskScore(run=run, employee_id=employees[r.employee_id],
                      risk_90d=float(min(max(r.risk_90d, 0.0), 1.0)),
                      drivers=[d for d in r.drivers if not d.startswith("Suggested action")],
                      suggested_action=next((d for d in r.drivers
                                             if d.startswith("Suggested action")), ""))
            for r in scored.itertuples(index=False) if r.employee_id in employees],
            batch_size=5000)
        RiskRun.objects.filter(is_current=True).exclude(pk=run.pk).update(is_current=False)
        RiskRun.objects.filter(pk=run.pk).update(is_current=True)
    run.refresh_from_db()
    return run


def risk_suggestions() -> dict[str, Suggestion]:
    """employee_id -> the concrete step a high-risk agent's suggested action names: their
    top current recommendation (the first not explored, if any; never one they dismissed),
    else the best measurably positive active item of the latest cached retention report
    that they have not completed. Agents with neither are left out (the generic sentence).

    Five reads however many agents: current recommendations; the latest report; its
    positive items that are active; completions of those items; active employees. The
    report is only read, never computed here: that takes minutes (`retention_report_build`
    caches it)."""
    dismissed = RecommendationFeedback.objects.filter(
        recommendation=OuterRef("pk"), action=RecommendationFeedback.Action.DISMISSED)
    out: dict[str, Suggestion] = {}
    for employee_id, title, gain, on_path, note in (
            Recommendation.objects.filter(run__is_current=True).exclude(Exists(dismissed))
            .order_by("employee_id", "explored", "rank")
            .values_list("employee__employee_id", "item__title", "expected_gain", "on_path",
                         "path_note")):
        out.setdefault(employee_id, Suggestion(
            title=title, source="recommendation", expected_gain=gain,
            path_role=path_note_role(note) if on_path else None))
    best = _measurably_positive_items()
    if not best:
        return out
    done: dict[str, set[str]] = {}
    for employee_id, code in Completion.objects.filter(item__code__in=best).values_list(
            "employee__employee_id", "item__code"):
        done.setdefault(employee_id, set()).add(code)
    for employee_id in Employee.objects.filter(status=Employee.Status.ACTIVE).values_list(
            "employee_id", flat=True):
        fresh = [s for code, s in best.items() if code not in done.get(employee_id, set())]
        if employee_id not in out and fresh:
            out[employee_id] = fresh[0]
    return out


def _measurably_positive_items() -> dict[str, Suggestion]:
    """item code -> suggestion, best first (the report's order), for the active items with
    a measurable benefit in the latest cached retention report. The quoted figure is the
    measured effect, the one that was tested (the shrunk one only orders the list)."""
    report = ReportCache.objects.filter(kind="retention").order_by("-created_at", "-pk").first()
    items = [r for r in ((report.payload.get("items") or []) if report else [])
             if r.get("evidence") == "positive" and not r.get("suppressed")]
    titles = dict(LearningItem.objects.filter(  # today's title; inactive items left out
        code__in=[r["item_code"] for r in items], active=True).values_list("code", "title"))
    return {r["item_code"]: Suggestion(title=titles[r["item_code"]], source="effectiveness",
                                       effect=float(r["effect"]))
            for r in items if r["item_code"] in titles}


# -- the retention report --------------------------------------------------------------

def data_version() -> str:
    """Changes whenever data that the report reads changes (counts and latest dates)."""
    facts = {
        "performance": WeeklyPerformance.objects.aggregate(n=Count("pk"),
                                                           last=Max("period_start")),
        "completions": Completion.objects.aggregate(n=Count("pk"), last=Max("completed_on")),
        "separations": Separation.objects.aggregate(n=Count("pk"),
                                                    last=Max("separation_date")),
        "employees": Employee.objects.aggregate(n=Count("pk")),
        "weights": list(Metric.objects.order_by("code").values_list("code", "weight")),
        "sites": list(Site.objects.order_by("name").values_list("name", "replacement_cost")),
    }
    return hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()
                          ).hexdigest()[:32]


def retention_report_build(*, as_of: date | None = None, window_weeks: int = 12,
                           progress: Progress = _quiet) -> ReportCache:
    """Compute the report once per data version and parameters; later calls reuse it."""
    as_of = as_of or default_as_of()
    if as_of is None:
        raise ValueError("No performance data yet: import data first.")
    params = {"as_of": as_of.isoformat(), "window_weeks": window_weeks}
    version = hashlib.sha256((data_version() + json.dumps(params, sort_keys=True)).encode()
                             ).hexdigest()[:32]
    cached = ReportCache.objects.filter(kind="retention", data_version=version).first()
    if cached is not None:
        return cached
    progress(0.1, "Reading history")
    ds = dataset_from_db(as_of=as_of)
    progress(0.3, "Survival, hazard ratios, risk model, effectiveness, ROI")
    costs = {name: float(cost) for name, cost in
             Site.objects.exclude(replacement_cost=None).values_list("name",
                                                                     "replacement_cost")}
    payload = build_retention_report(
        ds, window_weeks=window_weeks,
        replacement_cost=costs or roi.DEFAULT_REPLACEMENT_COST)
    cache, _ = ReportCache.objects.update_or_create(
        kind="retention", data_version=version, defaults={"params": params,
                                                          "payload": payload})
    return cache


# -- randomised pilots -----------------------------------------------------------------

def pilot_start(*, by_user, name: str, item: LearningItem, eligible, seed: int,
                start_date: date | None = None, due_days: int = 28) -> Pilot:
    """Assign the item to a random half of the eligible agents (assigned_by=campaign)."""
    ids = sorted(eligible.values_list("employee_id", flat=True))
    if len(ids) < 10:
        raise ValueError("A pilot needs at least 10 eligible agents to say anything.")
    treated, control = assign_pilot(ids, seed)
    start = start_date or timezone.now().date()
    employees = dict(Employee.objects.filter(employee_id__in=ids).values_list(
        "employee_id", "pk"))
    with transaction.atomic():
        pilot = Pilot.objects.create(name=name, item=item, created_by=by_user, seed=seed,
                                     criteria={"eligible": len(ids)}, start_date=start,
                                     due_date=start + timedelta(days=due_days))
        PilotMember.objects.bulk_create(
            [PilotMember(pilot=pilot, employee_id=employees[e], treated=True) for e in treated]
            + [PilotMember(pilot=pilot, employee_id=employees[e], treated=False)
               for e in control])
        Assignment.objects.bulk_create(
            [Assignment(employee_id=employees[e], item=item, due_date=pilot.due_date,
                        assigned_by="campaign", campaign=True, assigned_by_user=by_user,
                        reason=f"Pilot: {name}") for e in treated], ignore_conflicts=True)
    return pilot


def pilot_analyse(*, pilot: Pilot, as_of: date | None = None) -> dict:
    """The pilot's arms compared on data up to `as_of`, from the pilot's start."""
    members = pilot.members.values_list("employee__employee_id", "treated")
    return arms_analyse(item_code=pilot.item.code, treated=[e for e, t in members if t],
                        control=[e for e, t in members if not t], as_of=as_of,
                        start_date=pilot.start_date)


def arms_analyse(*, item_code: str, treated: list[str], control: list[str],
                 as_of: date | None, start_date: date) -> dict:
    """Two arms compared from `start_date` (lnd.services.pilots moves it back to before
    the start to state a pilot's power up front)."""
    ds = dataset_from_db(as_of=as_of)
    return json_safe(analyse_pilot(ds, item_code=item_code, treated=treated, control=control,
                                   start_date=start_date))
