"""Who gets what from every portal page and partial.

PORTAL_ROWS: (url_name, kwargs_factory_or_none, {role: expected_status}) for every named
portal route, with roles from tests.access.world.ROLES ("agent" is a1 itself,
"other_agent" a team-mate, "lead" a1's lead, "other_lead" another team's lead).
Routes named in PORTAL_POST are requested with POST and the data from their factory;
all others with GET. Anonymous callers are sent to the log-in page (302); the
integration client never gets a portal page (403); another person's object is a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from lnd.models import LearningItem, ModelVersion, Pilot, Recommendation, ReportCache
from tests.access.world import ROLES, World

PEOPLE = ("agent", "other_agent", "lead", "other_lead", "ld", "admin")
COACHES = ("lead", "other_lead", "ld", "admin")
STAFF = ("ld", "admin")


def allow(ok: int, roles: tuple[str, ...] | list[str], **also: int) -> dict[str, int]:
    expect = {role: (ok if role in roles else 403) for role in ROLES}
    expect["anon"] = 302
    expect.update(also)
    return expect


def _agent(w: World) -> dict:
    return {"employee_id": w.a1.employee_id}


def _pk(attr: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, attr).pk}


def _coaching_rec(w: World) -> dict:
    item = LearningItem.objects.create(code="coach-empathy", title="Coaching: empathy",
                                       kind="coaching", duration_minutes=30)
    rec = Recommendation.objects.create(
        run=w.recommendation.run, employee=w.a1, item=item, rank=2, score=0.2,
        expected_gain=0.1, gain_low=0.0, gain_high=0.2, reasons=["QA empathy is low."])
    return {"pk": rec.pk, "action": "dismiss"}


def _requirement(w: World) -> dict:
    return {"pk": w.role.requirements.get().pk}


def _healthy(w: World) -> dict:
    """The world's active model has no artifact file, which health rightly reports as 503;
    retire it so the row checks only who may call the endpoint (everyone, signed in or not)."""
    ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).update(
        status=ModelVersion.Status.RETIRED)
    return {}


def _report_section(w: World) -> dict:
    ReportCache.objects.create(kind="retention", data_version="access", payload={
        "as_of": "2025-03-31", "min_group_size": 5, "items": [
            {"item_code": w.item.code, "title": w.item.title, "n_treated": 2,
             "suppressed": True}]})
    return {"section": "items"}


def _pilot(w: World) -> dict:
    pilot = Pilot.objects.create(name="Access pilot", item=w.item, seed=1,
                                 start_date=timezone.localdate())
    return {"pk": pilot.pk}


# For a lead, "other_lead" is 404 wherever an object of a1 is involved.
NOT_THEIRS = {"other_lead": 404}

PORTAL_ROWS: list[tuple[str, Callable[[World], dict] | None, dict[str, int]]] = [
    ("home", None, allow(200, PEOPLE)),
    ("career_paths", None, allow(200, PEOPLE)),
    # agent partials (POST)
    ("recommendation_action", lambda w: {"pk": w.recommendation.pk, "action": "accept"},
     allow(302, ["agent", "ld", "admin"], other_agent=404)),
    ("session_acknowledge", _pk("session"), allow(302, ["agent"], other_agent=404)),
    ("goal_role", _agent, allow(302, ["agent", "lead"], other_agent=404, other_lead=404)),
    # team lead
    ("team_overview", None, allow(200, COACHES)),
    ("agent_detail", _agent, allow(200, COACHES, **NOT_THEIRS)),
    ("session_new", _agent, allow(200, COACHES, **NOT_THEIRS)),
    ("coaching_queue", None, allow(200, COACHES)),
    ("queue_action", _coaching_rec, allow(302, COACHES, **NOT_THEIRS)),
    ("session_edit", _pk("session"), allow(200, COACHES, **NOT_THEIRS)),
    # L&D and admin
    ("catalogue", None, allow(200, STAFF)),
    ("catalogue_list", lambda w: {"kind": "skills"}, allow(200, STAFF)),
    ("catalogue_edit", lambda w: {"kind": "items", "pk": w.item.pk}, allow(200, STAFF)),
    ("catalogue_delete", lambda w: {"kind": "skills", "pk": w.free_skill.pk},
     allow(302, STAFF)),
    ("requirement_set", _pk("role"), allow(302, STAFF)),
    ("requirement_delete", _requirement, allow(302, STAFF)),
    ("path_steps", _pk("path"), allow(302, STAFF)),
    ("metric_weights", None, allow(200, STAFF)),
    ("change_history", None, allow(200, STAFF)),
    ("data", None, allow(200, STAFF)),
    ("job_status", _pk("import_job"), allow(200, STAFF)),
    ("models", None, allow(200, STAFF)),
    ("model_train", None, allow(302, STAFF)),
    ("model_activate", _pk("old_model"), allow(302, STAFF)),
    ("reports", None, allow(200, STAFF)),
    ("report_csv", _report_section, allow(200, STAFF)),
    ("pilots", None, allow(200, STAFF)),
    ("pilot_detail", _pilot, allow(200, STAFF)),
    # monitoring (lnd/health.py): public, no log-in
    ("health", _healthy, {r: 200 for r in ROLES}),
    # accounts (django.contrib.auth.urls, with our templates)
    ("login", None, {r: 200 for r in ROLES}),
    ("logout", None, {r: 302 for r in ROLES}),
    ("password_change", None, allow(200, [*PEOPLE, "integration"])),
    ("password_change_done", None, allow(200, [*PEOPLE, "integration"])),
    ("password_reset", None, {r: 200 for r in ROLES}),
    ("password_reset_done", None, {r: 200 for r in ROLES}),
    ("password_reset_confirm", lambda w: {"uidb64": "MQ", "token": "bad-token"},
     {r: 200 for r in ROLES}),
    ("password_reset_complete", None, {r: 200 for r in ROLES}),
]

# Routes that only accept POST, and what to post.
PORTAL_POST: dict[str, Callable[[World], dict]] = {
    "recommendation_action": lambda w: {},
    "session_acknowledge": lambda w: {},
    "goal_role": lambda w: {"role": w.role.code},
    "queue_action": lambda w: {"reason": "Already covered this week"},
    "catalogue_delete": lambda w: {},
    "requirement_set": lambda w: {"skill": w.free_skill.pk, "min_level": 3},
    "requirement_delete": lambda w: {},
    "path_steps": lambda w: {"op": "add", "role": w.free_role.code},
    "model_train": lambda w: {},
    "model_activate": lambda w: {},
    "logout": lambda w: {},
}
