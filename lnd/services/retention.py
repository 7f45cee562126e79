"""Retention on the Django side: the attrition-risk model (same registry and gate as the
recommender), current risk scores, the cached retention report, and randomised pilots.
The statistics themselves live in recommender.retention."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
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
from recommender.fairness import Rule
from recommender.json_safe import json_safe
from recommender.retention import (
    RiskModel,
    analyse_pilot,
    assign_pilot,
    attrition_model,
    roi,
    score_agents,
)
from recommender.retention.pilots import POST_WEEKS as PILOT_POST_WEEKS
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
    scored = score_agents(ds, model)
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
    members = pilot.members.values_list("employee__employee_id", "treated")
    treated = [e for e, t in members if t]
    control = [e for e, t in members if not t]
    ds = dataset_from_db(as_of=as_of)
    return json_safe(analyse_pilot(ds, item_code=pilot.item.code, treated=treated,
                                control=control, start_date=pilot.start_date))


# -- pilots from the portal: who is eligible, power up front, the result when it is due --

PILOT_MIN_AGENTS = 10


def pilot_eligible(*, item: LearningItem, team=None, site=None, work_arrangement: str = "",
                   employment_type: str = "", hired_within_months: int | None = None,
                   today: date | None = None):
    """Active agents matching the filters, minus those who already completed the item
    (nothing left to learn) and members of running pilots (their change would mix two
    interventions). Team leads are not agents."""
    agents = Employee.objects.filter(status=Employee.Status.ACTIVE, team__isnull=False,
                                     teams_led__isnull=True)
    if team is not None:
        agents = agents.filter(team=team)
    if site is not None:
        agents = agents.filter(team__site=site)
    if work_arrangement:
        agents = agents.filter(work_arrangement=work_arrangement)
    if employment_type:
        agents = agents.filter(employment_type=employment_type)
    if hired_within_months:
        since = (today or timezone.now().date()) - timedelta(days=round(30.44 *
                                                                        hired_within_months))
        agents = agents.filter(hire_date__gte=since)
    done = Completion.objects.filter(item=item).values("employee")
    busy = PilotMember.objects.filter(pilot__status=Pilot.Status.RUNNING).values("employee")
    return agents.exclude(pk__in=done).exclude(pk__in=busy)


def pilot_launch(*, by_user, name: str, item: LearningItem, filters: dict, seed: int,
                 start_date: date, due_days: int = 28) -> Pilot:
    """Start a pilot for the agents `filters` select (pilot_eligible's keywords) and
    record, before any outcome exists, the smallest difference it can detect."""
    eligible = pilot_eligible(item=item, **filters)
    count = eligible.count()
    if count < PILOT_MIN_AGENTS:
        raise ValueError(f"Only {count} agent{'s' if count != 1 else ''} match: a pilot needs "
                         f"at least {PILOT_MIN_AGENTS} eligible agents to say anything.")
    treated, control = assign_pilot(eligible.values_list("employee_id", flat=True), seed)
    power = pilot_power_up_front(item_code=item.code, treated=treated, control=control,
                                 start_date=start_date)
    pilot = pilot_start(by_user=by_user, name=name, item=item, eligible=eligible, seed=seed,
                        start_date=start_date, due_days=due_days)
    pilot.criteria = {"eligible": count, "filters": _readable(filters), "power": power}
    pilot.save(update_fields=["criteria"])
    return pilot


_FILTER_LABELS = {"team": "Team", "site": "Site", "work_arrangement": "Work arrangement",
                  "employment_type": "Employment type",
                  "hired_within_months": "Hired within (months)"}


def _readable(filters: dict) -> dict:
    return {_FILTER_LABELS.get(k, k): str(v) for k, v in filters.items() if v not in (None, "")}


def pilot_power_up_front(*, item_code: str, treated: list[str], control: list[str],
                         start_date: date) -> dict:
    """Minimum detectable difference at 80% power from the SD of the same 8-after minus
    4-before change in the weeks before the start (or before the data end, for a pilot
    that starts after the latest imported week)."""
    latest = default_as_of()
    if latest is None:
        return {"mde_80": None, "outcome_sd": None,
                "note": "no performance history yet, so the power cannot be stated"}
    ds = dataset_from_db(as_of=latest)
    start = min(start_date, latest + timedelta(days=7))
    res = analyse_pilot(ds, item_code=item_code, treated=treated, control=control,
                        start_date=start)
    return json_safe({**res["power"], "computed_from_weeks_before": start.isoformat(),
                      "n_treated": len(treated), "n_control": len(control)})


def pilot_result_due(pilot: Pilot) -> date:
    """The Monday after the 8th week from the pilot's start week: the first day the whole
    outcome window can have been imported."""
    start_week = pilot.start_date - timedelta(days=pilot.start_date.weekday())
    return start_week + timedelta(weeks=PILOT_POST_WEEKS)


def pilot_report(*, pilot: Pilot) -> dict:
    """What the pilot page shows: power stated at the start and, once all 8 weeks after
    the start are imported, the analysis (cached per data version, not recomputed)."""
    due = pilot_result_due(pilot)
    latest = default_as_of()
    ready = latest is not None and latest + timedelta(days=7) >= due
    out = {"due": due, "last_week": due - timedelta(weeks=1), "ready": ready,
           "latest_week": latest,
           "power": pilot.criteria.get("power"), "result": None}
    if not ready:
        return out
    version = data_version()
    kind = f"pilot-{pilot.pk}"
    cached = ReportCache.objects.filter(kind=kind, data_version=version).first()
    if cached is None:
        cached, _ = ReportCache.objects.update_or_create(
            kind=kind, data_version=version,
            defaults={"params": {"pilot": pilot.pk}, "payload": pilot_analyse(pilot=pilot)})
    out["result"] = cached.payload
    return out


def pilot_arm_sizes(*, pilot: Pilot) -> dict:
    """Agents in each arm and how many completed the item since the start (uptake: the
    analysis compares arms as assigned, so low uptake dilutes the difference)."""
    done = Completion.objects.filter(item=pilot.item, completed_on__gte=pilot.start_date
                                     ).values("employee")
    # aggregate names must not clash with the `treated` field, hence the n_ prefix
    counts = pilot.members.aggregate(
        n_treated=Count("pk", filter=Q(treated=True)),
        n_control=Count("pk", filter=Q(treated=False)),
        n_treated_completed=Count("pk", filter=Q(treated=True, employee__in=done)),
        n_control_completed=Count("pk", filter=Q(treated=False, employee__in=done)))
    return {k.removeprefix("n_"): v for k, v in counts.items()}
