"""Randomised pilots, the one service behind the API and the portal: who is eligible,
starting one (validated, with its power stated up front) and the result, shown only once
its 8 weeks are imported, cached per data version, never for an arm under MIN_GROUP.

The randomisation and the statistics are lnd.services.retention (pilot_start,
pilot_analyse), imported only when used: they load pandas and the dataset.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lnd.models import (
    Assignment,
    Completion,
    Employee,
    LearningItem,
    Pilot,
    PilotMember,
    ReportCache,
    Role,
    Site,
    Team,
    User,
)
from recommender.suppression import MIN_GROUP

MIN_ELIGIBLE = 10  # retention.pilot_start's own floor: halves of 5 or more
MAX_HIRED_WITHIN_MONTHS = 120
RUNNERS = {User.Role.LD_SPECIALIST, User.Role.ADMIN}
OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]
# Readable labels for Pilot.criteria["filters"], in the order the pages show them
LABELS = {"teams": "Teams", "sites": "Sites", "roles": "Job roles",
          "work_arrangement": "Work arrangement", "employment_type": "Employment type",
          "hired_within_months": "Hired within (months)"}


def pilots_with_counts() -> QuerySet[Pilot]:
    return Pilot.objects.select_related("item", "created_by").annotate(
        n_treated=Count("members", filter=Q(members__treated=True)),
        n_control=Count("members", filter=Q(members__treated=False)),
    ).order_by("-created_at", "-pk")


# -- who is eligible -------------------------------------------------------------------

def pilot_eligible(*, item: LearningItem, teams: Sequence[str] = (), sites: Sequence[str] = (),
                   roles: Sequence[str] = (), work_arrangement: str = "",
                   employment_type: str = "", hired_within_months: int | None = None,
                   today: date | None = None) -> QuerySet[Employee]:
    """Active agents in a team who lead none, matching every given criterion (team codes,
    site names, job role codes: each empty = any), less anyone who has completed the item
    or has it open (nothing to compare, and the assignment could not be made again) and
    members of running pilots (their change would mix two interventions)."""
    agents = Employee.objects.filter(status=Employee.Status.ACTIVE, team__isnull=False,
                                     teams_led__isnull=True)
    if teams:
        agents = agents.filter(team__code__in=teams)
    if sites:
        agents = agents.filter(team__site__name__in=sites)
    if roles:
        agents = agents.filter(role__code__in=roles)
    if work_arrangement:
        agents = agents.filter(work_arrangement=work_arrangement)
    if employment_type:
        agents = agents.filter(employment_type=employment_type)
    if hired_within_months:
        since = (today or timezone.localdate()) - timedelta(
            days=round(30.44 * hired_within_months))
        agents = agents.filter(hire_date__gte=since)
    done = Completion.objects.filter(item=item).values("employee_id")
    open_ = Assignment.objects.filter(item=item, status__in=OPEN).values("employee_id")
    busy = PilotMember.objects.filter(pilot__status=Pilot.Status.RUNNING).values("employee_id")
    return agents.exclude(pk__in=done).exclude(pk__in=open_).exclude(pk__in=busy).distinct()


# -- starting one ----------------------------------------------------------------------

def pilot_create(*, by_user: User, name: str, item: LearningItem, teams: Sequence[str] = (),
                 sites: Sequence[str] = (), roles: Sequence[str] = (),
                 work_arrangement: str = "", employment_type: str = "",
                 hired_within_months: int | None = None, seed: int | None = None,
                 start_date: date | None = None, due_days: int = 28) -> Pilot:
    """Assign the item to a random half of the eligible agents. The criteria (as given and
    readable), the seed and the power, stated before any outcome exists, are kept on the
    pilot. Bad input raises ValidationError with field keys, and nothing is written."""
    if not by_user.is_authenticated or by_user.role not in RUNNERS:
        raise PermissionDenied("Only L&D specialists and admins run pilots.")
    criteria = {"teams": sorted(set(teams)), "sites": sorted(set(sites)),
                "roles": sorted(set(roles)), "work_arrangement": work_arrangement or "",
                "employment_type": employment_type or "",
                "hired_within_months": hired_within_months or None}
    start_date = start_date or timezone.localdate()
    _check(item=item, criteria=criteria, start_date=start_date, due_days=due_days)
    eligible = pilot_eligible(item=item, **criteria)
    n = eligible.count()
    if n < MIN_ELIGIBLE:
        raise ValidationError({"non_field_errors": [
            f"Only {n} agent{' matches' if n == 1 else 's match'}: a pilot needs at least "
            f"{MIN_ELIGIBLE} eligible agents to say anything."]})
    from lnd.services import retention
    from recommender.retention.pilots import assign_pilot

    seed = secrets.randbits(31) if seed is None else seed
    # The split is a function of the ids and the seed, so the power is stated for exactly
    # these arms before the write: reading the history takes seconds, and inside the
    # transaction it would hold the database's write lock all that time.
    ids = sorted(eligible.values_list("employee_id", flat=True))
    power = _power_up_front(item.code, *assign_pilot(ids, seed), start_date=start_date)
    with transaction.atomic():
        pilot = retention.pilot_start(by_user=by_user, name=name, item=item,
                                      eligible=Employee.objects.filter(employee_id__in=ids),
                                      seed=seed, start_date=start_date, due_days=due_days)
        pilot.criteria = {**criteria, "eligible": n, "filters": _readable(criteria),
                          "power": power}
        pilot.save(update_fields=["criteria"])
    return pilot


def _check(*, item: LearningItem, criteria: dict, start_date: date, due_days: int) -> None:
    errors: dict[str, list[str]] = {}
    if not item.active:
        errors["item"] = ["This learning item is no longer offered."]
    elif item.mandatory:
        errors["item"] = ["Everyone must take a mandatory item, so there is no control group."]
    for field, model, key in (("teams", Team, "code"), ("sites", Site, "name"),
                              ("roles", Role, "code")):
        given = criteria[field]
        known = set(model.objects.filter(**{f"{key}__in": given}).values_list(key, flat=True))
        if unknown := sorted(set(given) - known):
            errors[field] = [f"Unknown: {', '.join(unknown)}."]
    for field, choices in (("work_arrangement", Employee.WorkArrangement),
                           ("employment_type", Employee.EmploymentType)):
        if criteria[field] and criteria[field] not in choices.values:
            errors[field] = [f"One of: {', '.join(choices.values)}."]
    months = criteria["hired_within_months"]
    if months is not None and not 1 <= months <= MAX_HIRED_WITHIN_MONTHS:
        errors["hired_within_months"] = [f"Between 1 and {MAX_HIRED_WITHIN_MONTHS} months."]
    if not 1 <= due_days <= 366:
        errors["due_days"] = ["Between 1 and 366 days."]
    today = timezone.localdate()
    if start_date < today:
        errors["start_date"] = ["A pilot cannot start in the past: the item is assigned "
                                "today, so earlier weeks would count as pilot weeks."]
    elif start_date > today + timedelta(days=366):
        errors["start_date"] = ["A pilot starts within a year; start it nearer the time."]
    if errors:
        raise ValidationError(errors)


def _readable(criteria: dict) -> dict[str, str]:
    """Label -> value for the criteria that were set: team and role names, not codes."""
    names = {"teams": dict(Team.objects.filter(code__in=criteria["teams"])
                           .values_list("code", "name")),
             "roles": dict(Role.objects.filter(code__in=criteria["roles"])
                           .values_list("code", "name")),
             "work_arrangement": dict(Employee.WorkArrangement.choices),
             "employment_type": dict(Employee.EmploymentType.choices)}
    out = {}
    for key, label in LABELS.items():
        value = criteria[key]
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        out[label] = ", ".join(str(names.get(key, {}).get(v, v)) for v in values)
    return out


def _power_up_front(item_code: str, treated: list[str], control: list[str], *,
                    start_date: date) -> dict:
    """Minimum detectable difference at 80% power from the SD of the same 8-after minus
    4-before change in the weeks before the start (or before the data end, for a pilot
    that starts after the latest imported week)."""
    from lnd.services import retention
    from lnd.services.ml_io import default_as_of

    latest = default_as_of()
    if latest is None:
        return {"mde_80": None, "outcome_sd": None,
                "note": "no performance history yet, so the power cannot be stated"}
    start = min(start_date, latest + timedelta(days=7))
    res = retention.arms_analyse(item_code=item_code, treated=treated, control=control,
                                 as_of=latest, start_date=start)
    return {**res["power"], "computed_from_weeks_before": start.isoformat(),
            "n_treated": res["n_treated_assigned"], "n_control": res["n_control_assigned"]}


# -- the result ------------------------------------------------------------------------

def pilot_result_due(pilot: Pilot) -> date:
    """The Monday after the 8th week from the pilot's start week: the first day the whole
    outcome window can have been imported."""
    from recommender.retention.pilots import POST_WEEKS

    start_week = pilot.start_date - timedelta(days=pilot.start_date.weekday())
    return start_week + timedelta(weeks=POST_WEEKS)


def pilot_report(*, pilot: Pilot) -> dict:
    """Everything a reader of the pilot sees: arm sizes and uptake, the power stated at the
    start and, once all 8 weeks after the start are imported, the analysis (computed once
    per data version and cached; only sizes when an arm has under MIN_GROUP agents with
    outcome data)."""
    from lnd.services.ml_io import default_as_of

    due = pilot_result_due(pilot)
    latest = default_as_of()
    ready = latest is not None and latest + timedelta(days=7) >= due
    return {"due": due, "last_week": due - timedelta(weeks=1), "latest_week": latest,
            "ready": ready, "min_group_size": MIN_GROUP, "arms": pilot_arm_sizes(pilot=pilot),
            "power": pilot.criteria.get("power"),
            "result": _cached_result(pilot) if ready else None}


def _cached_result(pilot: Pilot) -> dict:
    from lnd.services import retention

    version, kind = retention.data_version(), f"pilot-{pilot.pk}"
    cached = ReportCache.objects.filter(kind=kind, data_version=version).first()
    if cached is None:
        # what is stored is what may be shown: a small arm's numbers are never kept
        payload = _suppress_small_arms(retention.pilot_analyse(pilot=pilot))
        cached, _ = ReportCache.objects.update_or_create(
            kind=kind, data_version=version,
            defaults={"params": {"pilot": pilot.pk}, "payload": payload})
    return cached.payload


def _suppress_small_arms(result: dict) -> dict:
    if min(result.get("n_treated", 0), result.get("n_control", 0)) >= MIN_GROUP:
        return {**result, "suppressed": False}
    keep = ("item_code", "start_date", "outcome", "n_treated_assigned", "n_control_assigned")
    return {**{k: result[k] for k in keep if k in result}, "suppressed": True}


def pilot_arm_sizes(*, pilot: Pilot) -> dict[str, int]:
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
