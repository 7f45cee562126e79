"""Privacy the employees are owed: who looked (access log), works-council switch,
erasure of leavers, retention periods. See docs/api.md for the policy in words."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lnd import conf
from lnd.models import (
    AccessLog,
    Assignment,
    CoachingSession,
    Employee,
    ErasureTombstone,
    Interaction,
    Job,
    PulseSurvey,
    QAEvaluation,
    RecommendationFeedback,
    User,
    XapiStatement,
)
from lnd.services.bulk_insert import insert_many
from lnd.services.recommendation_runs import runs_delete_older

ERASED_PREFIX = "erased-"


# --- who looked -------------------------------------------------------------------------

def access_log_record(*, viewer: User, subject: Employee, what: str, via: str
                      ) -> AccessLog | None:
    """Record that `viewer` read `what` of `subject` (never the values). Reading one's
    own record is not logged, nor a repeat within the window (see access_log_record_many)."""
    if viewer.employee_id is not None and viewer.employee_id == subject.pk:
        return None
    via = via[:200]
    if not _first_reads(viewer.pk, [(subject.pk, what)], via):
        return None
    row = AccessLog.objects.create(viewer=viewer, subject=subject, what=what, via=via)
    _remember_reads(viewer.pk, [(subject.pk, what)], via)
    return row


def access_log_record_many(*, viewer: User, subjects, what: str | Sequence[str], via: str
                           ) -> int:
    """One row per subject and kind of data read, in one insert (a lead's team page
    reads 50 people's performance and risk on every view). A read the same viewer made
    of the same data on the same page within `ACCESS_LOG_REPEAT_SECONDS` is not logged
    again: refreshing a page is one access, and the log stays a record of who looked
    rather than of how often a page was reloaded."""
    whats = [what] if isinstance(what, str) else list(what)
    via = via[:200]
    reads = [(s.pk, w) for w in whats for s in subjects
             if viewer.employee_id is None or viewer.employee_id != s.pk]
    reads = _first_reads(viewer.pk, reads, via)
    now = timezone.now()
    written = insert_many(AccessLog, ("viewer", "subject", "what", "via", "at"),
                          [(viewer.pk, subject, w, via, now) for subject, w in reads])
    _remember_reads(viewer.pk, reads, via)
    return written


def _read_keys(viewer_pk: int, reads: list[tuple[int, str]], via: str) -> list[str]:
    """One cache key per read, in order; the page is hashed once (short, safe keys)."""
    page = hashlib.blake2b(via.encode(), digest_size=8).hexdigest()
    return [f"lnd:read:{viewer_pk}:{subject}:{what}:{page}" for subject, what in reads]


def _first_reads(viewer_pk: int, reads: list[tuple[int, str]], via: str
                 ) -> list[tuple[int, str]]:
    """The reads not already logged within the window. The cache only ever suppresses a
    repeat: if it is cold or shared by no other process, the read is logged again."""
    if conf.ACCESS_LOG_REPEAT_SECONDS <= 0 or not reads:
        return reads
    keys = _read_keys(viewer_pk, reads, via)
    seen = cache.get_many(keys)
    return [read for read, key in zip(reads, keys, strict=True) if key not in seen]


def _remember_reads(viewer_pk: int, reads: list[tuple[int, str]], via: str) -> None:
    """Called only after the rows are written, so a failed write is never remembered."""
    if conf.ACCESS_LOG_REPEAT_SECONDS > 0 and reads:
        cache.set_many(dict.fromkeys(_read_keys(viewer_pk, reads, via), 1),
                       timeout=conf.ACCESS_LOG_REPEAT_SECONDS)


def access_log_for(*, employee: Employee) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(subject=employee).select_related("viewer").order_by("-at")


# --- works council ----------------------------------------------------------------------

def individual_views_hidden(*, viewer: User, employee: Employee) -> bool:
    """At a site whose works council hides individual views, nobody but the agent sees
    that agent's individual risk score or performance (team aggregates remain)."""
    if viewer.employee_id is not None and viewer.employee_id == employee.pk:
        return False
    team = employee.team
    return bool(team and team.site and team.site.hide_individual_views)


def exclude_hidden_sites(employees: QuerySet[Employee]) -> QuerySet[Employee]:
    return employees.exclude(team__site__hide_individual_views=True)


# --- pulse: the agent's own answers only --------------------------------------------------

def pulse_own(*, user: User) -> QuerySet[PulseSurvey]:
    if user.employee_id is None:
        return PulseSurvey.objects.none()
    return PulseSurvey.objects.filter(employee_id=user.employee_id).order_by("-answered_at")


# --- erasure -------------------------------------------------------------------------------

def employee_erase(*, by_user: User, employee: Employee) -> ErasureTombstone:
    """Erase a leaver: delete what identifies them and what they said, keep a
    de-identified analytics extract under an opaque id, and leave a tombstone so the next
    HR import does not bring them back."""
    if by_user.role != User.Role.ADMIN:
        raise PermissionDenied("Only an administrator erases a person.")
    if employee.status != Employee.Status.LEFT:
        raise ValidationError({"status": "Only a leaver (status left) can be erased."})
    if employee.employee_id.startswith(ERASED_PREFIX) or is_erased(employee.employee_id):
        raise ValidationError({"employee_id": "This person has already been erased."})
    original_id = employee.employee_id
    with transaction.atomic():
        tombstone = ErasureTombstone.objects.create(employee_id=original_id, erased_by=by_user)
        _erase_rows(employee)
        # A random id, not a hash of the old one: nothing links the extract back.
        employee.employee_id = f"{ERASED_PREFIX}{secrets.token_hex(16)}"
        employee.name = "Erased person"
        employee.email = ""
        employee.hourly_cost = None
        employee.goal_role = None
        employee.hire_date = employee.hire_date.replace(day=1)  # tenure kept, to the month
        employee.save()
    return tombstone


def _erase_rows(employee: Employee) -> None:
    User.objects.filter(employee=employee).delete()  # the account, its token and sessions
    AccessLog.objects.filter(subject=employee).delete()
    PulseSurvey.objects.filter(employee=employee).update(comment="")
    Interaction.objects.filter(employee=employee).update(transcript="", topic="")
    CoachingSession.objects.filter(employee=employee).update(
        agenda="", notes="", agreed_actions="")
    Assignment.objects.filter(employee=employee).update(reason="")
    RecommendationFeedback.objects.filter(employee=employee).update(reason="")
    for statement in XapiStatement.objects.filter(employee=employee).only("raw"):
        # The actor names the person; the rest is about the activity.
        statement.raw = {k: v for k, v in statement.raw.items()
                         if k not in {"actor", "authority", "context"}}
        statement.save(update_fields=["raw"])


def erased_ids() -> set[str]:
    """Every tombstoned employee_id (small: erasures are rare, manual acts)."""
    return set(ErasureTombstone.objects.values_list("employee_id", flat=True))


def is_erased(employee_id: str) -> bool:
    """The importer's check: a row for an erased person is skipped, never re-created."""
    return ErasureTombstone.objects.filter(employee_id=employee_id).exists()


# --- retention ------------------------------------------------------------------------------

def retention_enforce(*, today: date) -> dict[str, int]:
    """Delete or blank personal data older than its category's period
    (settings.LND_RETENTION_DAYS). Idempotent; returns rows touched per category."""
    days = settings.LND_RETENTION_DAYS

    def cutoff(category: str) -> date:
        return today - timedelta(days=days[category])

    def moment(category: str):
        return timezone.make_aware(datetime.combine(cutoff(category), time.min))

    done: dict[str, int] = {}
    with transaction.atomic():
        done["interaction_transcripts"] = Interaction.objects.filter(
            period_start__lt=cutoff("interaction_transcripts")).exclude(
            transcript="").update(transcript="")
        done["interactions"] = Interaction.objects.filter(
            period_start__lt=cutoff("interactions")).delete()[0]
        done["pulse_comments"] = PulseSurvey.objects.filter(
            answered_at__lt=cutoff("pulse_comments")).exclude(comment="").update(comment="")
        done["pulse_answers"] = PulseSurvey.objects.filter(
            answered_at__lt=cutoff("pulse_answers")).delete()[0]
        done["access_logs"] = AccessLog.objects.filter(at__lt=moment("access_logs")).delete()[0]
        done["qa_evaluations"] = QAEvaluation.objects.filter(
            evaluated_on__lt=cutoff("qa_evaluations")).delete()[0]
        done["coaching_notes"] = CoachingSession.objects.filter(
            held_on__lt=cutoff("coaching_notes")).exclude(
            agenda="", notes="", agreed_actions="").update(agenda="", notes="", agreed_actions="")
        done["job_records"] = Job.objects.filter(
            state__in=[Job.State.SUCCEEDED, Job.State.FAILED],
            finished_at__lt=moment("job_records")).delete()[0]
        done["recommendation_runs"] = runs_delete_older(before=moment("recommendation_runs"))
    return done
