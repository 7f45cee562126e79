"""Randomised pilots as L&D starts and reads them: who is eligible, starting one from
criteria, and an analysis that never shows a group of fewer than MIN_GROUP agents.

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
    Role,
    Site,
    Team,
    User,
)

MIN_ELIGIBLE = 10  # retention.pilot_start's own floor: halves of 5 or more
MIN_GROUP = 5  # as the retention report: no aggregate over fewer agents
RUNNERS = {User.Role.LD_SPECIALIST, User.Role.ADMIN}
OPEN = [Assignment.Status.ASSIGNED, Assignment.Status.IN_PROGRESS]


def pilots_with_counts() -> QuerySet[Pilot]:
    return Pilot.objects.select_related("item", "created_by").annotate(
        n_treated=Count("members", filter=Q(members__treated=True)),
        n_control=Count("members", filter=Q(members__treated=False)),
    ).order_by("-created_at", "-pk")


def pilot_eligible(*, item: LearningItem, teams: Sequence[str] = (),
                   sites: Sequence[str] = (), roles: Sequence[str] = ()) -> QuerySet[Employee]:
    """Active agents (not team leads) in the given teams, sites and job roles (each
    empty = any), less anyone who has already completed the item or has it open: they
    would blur the comparison, and their assignment could not be created again."""
    agents = Employee.objects.filter(status=Employee.Status.ACTIVE).exclude(
        teams_led__isnull=False)
    if teams:
        agents = agents.filter(team__code__in=teams)
    if sites:
        agents = agents.filter(team__site__name__in=sites)
    if roles:
        agents = agents.filter(role__code__in=roles)
    done = Completion.objects.filter(item=item).values("employee_id")
    open_ = Assignment.objects.filter(item=item, status__in=OPEN).values("employee_id")
    return agents.exclude(pk__in=done).exclude(pk__in=open_).distinct()


def pilot_create(*, by_user: User, name: str, item: LearningItem, teams: Sequence[str] = (),
                 sites: Sequence[str] = (), roles: Sequence[str] = (), seed: int | None = None,
                 start_date: date | None = None, due_days: int = 28) -> Pilot:
    """Assign the item to a random half of the eligible agents; the criteria and the
    seed are kept on the pilot so the split can be reproduced."""
    if not by_user.is_authenticated or by_user.role not in RUNNERS:
        raise PermissionDenied("Only L&D specialists and admins run pilots.")
    _check_criteria(item=item, teams=teams, sites=sites, roles=roles, due_days=due_days,
                    start_date=start_date)
    eligible = pilot_eligible(item=item, teams=teams, sites=sites, roles=roles)
    n = eligible.count()
    if n < MIN_ELIGIBLE:
        raise ValidationError({"non_field_errors": [
            f"A pilot needs at least {MIN_ELIGIBLE} eligible agents to say anything; "
            f"these criteria give {n}."]})
    from lnd.services import retention

    seed = secrets.randbits(31) if seed is None else seed
    with transaction.atomic():
        pilot = retention.pilot_start(by_user=by_user, name=name, item=item,
                                      eligible=eligible, seed=seed, start_date=start_date,
                                      due_days=due_days)
        pilot.criteria = {"teams": sorted(teams), "sites": sorted(sites),
                          "roles": sorted(roles), **pilot.criteria}
        pilot.save(update_fields=["criteria"])
    return pilot


def _check_criteria(*, item: LearningItem, teams, sites, roles, due_days: int,
                    start_date: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if start_date and start_date > timezone.localdate() + timedelta(days=366):
        errors["start_date"] = ["A pilot starts within a year; start it nearer the time."]
    if not item.active:
        errors["item"] = ["This learning item is no longer offered."]
    for field, model, key, given in (("teams", Team, "code", teams),
                                     ("sites", Site, "name", sites),
                                     ("roles", Role, "code", roles)):
        known = set(model.objects.filter(**{f"{key}__in": given}).values_list(key, flat=True))
        unknown = sorted(set(given) - known)
        if unknown:
            errors[field] = [f"Unknown: {', '.join(unknown)}."]
    if not 1 <= due_days <= 366:
        errors["due_days"] = ["Between 1 and 366 days."]
    if errors:
        raise ValidationError(errors)


def pilot_results(*, pilot: Pilot, as_of: date | None = None) -> dict:
    """The pilot's analysis; when either arm has fewer than MIN_GROUP agents with
    outcome data, only the arm sizes as assigned are returned, with no numbers."""
    from lnd.services import retention

    try:
        result = retention.pilot_analyse(pilot=pilot, as_of=as_of)
    except ValueError as exc:  # no performance data imported yet
        return {"available": False, "note": str(exc), "suppressed": True,
                "min_group_size": MIN_GROUP}
    result["available"] = True
    result["min_group_size"] = MIN_GROUP
    if min(result.get("n_treated", 0), result.get("n_control", 0)) < MIN_GROUP:
        keep = ("item_code", "start_date", "outcome", "n_treated_assigned",
                "n_control_assigned", "available", "min_group_size")
        return {**{k: result[k] for k in keep if k in result}, "suppressed": True}
    result["suppressed"] = False
    return result
