"""Who gets what from every API endpoint: (role, method, URL, expected status).

One Row per endpoint and method; `expect` gives the status for each of the eight callers
in tests.access.world.ROLES. test_url_coverage fails when a named API route has no row.
Rows are built with `allow(...)`: the roles named get the success status, every other
signed-in caller 403, anonymous 401; `also` sets exceptions (404 for another person's
object, which must not be disclosed).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lnd.models import Job, LearningItem, Pilot, PilotMember, Recommendation
from tests import factories as f
from tests.access.world import ROLES, World, xapi_statement

PEOPLE = ("agent", "other_agent", "lead", "other_lead", "ld", "admin")
STAFF = ("ld", "admin")
COACHES = ("lead", "other_lead", *STAFF)


def allow(ok: int, roles: tuple[str, ...] | list[str], **also: int) -> dict[str, int]:
    expect = {role: (ok if role in roles else 403) for role in ROLES}
    expect["anon"] = 401
    expect.update(also)
    return expect


# Another person's object: the agent's team-mate and the other team's lead get a 404.
HIDDEN = {"other_agent": 404, "other_lead": 404}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    expect: dict[str, int]
    kwargs: Callable[[World], dict] = lambda w: {}
    body: Callable[[World], object] | None = None
    format: str = "json"
    headers: dict = field(default_factory=dict)


def _zip(w: World):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("skills.csv", "skill_code,name,category,description\nx,X,,\n")
    buffer.seek(0)
    buffer.name = "data.zip"
    return {"file": buffer}


def _code(attr: str) -> Callable[[World], dict]:
    return lambda w: {"code": getattr(w, attr).code}


def _agent(attr: str = "a1") -> Callable[[World], dict]:
    return lambda w: {"employee_id": getattr(w, attr).employee_id}


def _pk(attr: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, attr).pk}


def _coaching_rec(w: World) -> dict:
    """A coaching need of a1 (team A) in the current run: in lead_a's queue only."""
    item = LearningItem.objects.create(code="coach-empathy", title="Coaching: empathy",
                                       kind="coaching", duration_minutes=30)
    rec = Recommendation.objects.create(
        run=w.recommendation.run, employee=w.a1, item=item, rank=2, score=0.2,
        expected_gain=0.1, gain_low=0.0, gain_high=0.2, reasons=["QA empathy is low."])
    return {"pk": rec.pk}


def _pilot_team(w: World) -> dict:
    """Ten more agents in a team of their own: enough for a pilot (at least 10)."""
    w.objects["pilot_team"] = f.team_with_lead_and_agents(10)[0]
    return {}


def _pilot(w: World) -> dict:
    pilot = Pilot.objects.create(name="Trial", item=w.item3, seed=1,
                                 start_date=date(2025, 3, 17))
    PilotMember.objects.bulk_create([PilotMember(pilot=pilot, employee=w.a1, treated=True),
                                     PilotMember(pilot=pilot, employee=w.a2, treated=False)])
    return {"pk": pilot.pk}


def _scoring_job(w: World) -> dict:
    return {"pk": Job.objects.create(kind=Job.Kind.RECOMMEND, state=Job.State.SUCCEEDED).pk}


API_ROWS: list[Row] = [
    # --- auth, schema, docs
    Row("api-token", "POST", {r: 200 for r in ROLES},
        body=lambda w: {"username": w.users["agent"].username, "password": "pw-test-1"}),
    Row("api-schema", "GET", allow(200, [*PEOPLE, "integration"])),
    Row("api-docs", "GET", allow(200, [*PEOPLE, "integration"])),
    # --- me
    Row("me", "GET", allow(200, PEOPLE)),
    Row("me-access-log", "GET", allow(200, PEOPLE, ld=404, admin=404)),
    Row("me-pulse", "GET", allow(200, PEOPLE)),
    Row("me-export", "GET", allow(200, PEOPLE, ld=404, admin=404)),
    # --- xAPI
    Row("xapi-statements", "POST", allow(200, ["integration"]),
        body=lambda w: xapi_statement(w.a1, w.item),
        headers={"X-Experience-API-Version": "1.0.3"}),
    # --- catalogue
    Row("skill-list", "GET", allow(200, PEOPLE)),
    Row("skill-list", "POST", allow(201, STAFF),
        body=lambda w: {"code": "new-skill", "name": "New"}),
    Row("skill-detail", "GET", allow(200, PEOPLE), _code("skill")),
    Row("skill-detail", "PATCH", allow(200, STAFF), _code("skill"),
        body=lambda w: {"name": "Renamed"}),
    Row("skill-detail", "PUT", allow(200, STAFF), _code("skill"),
        body=lambda w: {"name": "Renamed", "category": "soft", "description": ""}),
    Row("skill-detail", "DELETE", allow(204, STAFF), _code("free_skill")),
    Row("role-list", "GET", allow(200, PEOPLE)),
    Row("role-list", "POST", allow(201, STAFF),
        body=lambda w: {"code": "new-role", "name": "New", "family": "specialist", "level": 2}),
    Row("role-detail", "GET", allow(200, PEOPLE), _code("role")),
    Row("role-detail", "PATCH", allow(200, STAFF), _code("role"),
        body=lambda w: {"level": 3}),
    Row("role-detail", "PUT", allow(200, STAFF), _code("role"),
        body=lambda w: {"name": "Agent", "family": "frontline", "level": 2}),
    Row("role-detail", "DELETE", allow(204, STAFF), _code("free_role")),
    Row("role-requirement", "PUT", allow(200, STAFF),
        lambda w: {"code": w.role.code, "skill_code": w.skill.code},
        body=lambda w: {"min_level": 3}),
    Row("role-requirement", "DELETE", allow(204, STAFF),
        lambda w: {"code": w.role.code, "skill_code": w.skill.code}),
    Row("career-path-list", "GET", allow(200, PEOPLE)),
    Row("career-path-list", "POST", allow(201, STAFF),
        body=lambda w: {"code": "new-path", "name": "New", "role_codes": [w.role.code]}),
    Row("career-path-detail", "GET", allow(200, PEOPLE), _code("path")),
    Row("career-path-detail", "PATCH", allow(200, STAFF), _code("path"),
        body=lambda w: {"role_codes": [w.role.code, w.free_role.code]}),
    Row("career-path-detail", "PUT", allow(200, STAFF), _code("path"),
        body=lambda w: {"name": "Renamed"}),
    Row("career-path-detail", "DELETE", allow(204, STAFF), _code("path")),
    Row("learning-item-list", "GET", allow(200, PEOPLE)),
    Row("learning-item-list", "POST", allow(201, STAFF),
        body=lambda w: {"code": "new-item", "title": "New", "kind": "course",
                        "duration_minutes": 20, "skills": [w.skill.code]}),
    Row("learning-item-detail", "GET", allow(200, PEOPLE), _code("item")),
    Row("learning-item-detail", "PATCH", allow(200, STAFF), _code("item"),
        body=lambda w: {"title": "Renamed", "prerequisites": [w.item2.code]}),
    Row("learning-item-detail", "PUT", allow(200, STAFF), _code("free_item"),
        body=lambda w: {"code": "unused-item", "title": "T", "kind": "course",
                        "duration_minutes": 5}),
    Row("learning-item-detail", "DELETE", allow(204, STAFF), _code("free_item")),
    Row("metric-list", "GET", allow(200, PEOPLE)),
    Row("metric-detail", "GET", allow(200, PEOPLE), _code("metric")),
    Row("metric-weights", "GET", allow(200, PEOPLE)),
    Row("metric-weights", "PUT", allow(200, STAFF), body=lambda w: {"weights": {"csat": 2}}),
    # --- people
    Row("agent-list", "GET", allow(200, PEOPLE)),
    Row("agent-detail", "GET", allow(200, PEOPLE, **HIDDEN), _agent()),
    Row("agent-goal-role", "POST", allow(200, ["agent", "other_agent", "lead", "other_lead"],
                                         **HIDDEN), _agent(),
        body=lambda w: {"goal_role": w.role.code}),
    Row("agent-erase", "POST", allow(200, ["admin"]), _agent("leaver")),
    Row("agent-performance", "GET", allow(200, ["agent", "other_agent", "lead", "other_lead",
                                                "ld"], **HIDDEN), _agent()),
    Row("agent-recommendations", "GET", allow(200, PEOPLE, **HIDDEN), _agent()),
    Row("agent-recommendation-feedback", "POST",
        allow(201, ["agent", "other_agent", "ld", "admin"], other_agent=404),
        lambda w: {"employee_id": w.a1.employee_id, "recommendation_id": w.recommendation.pk},
        body=lambda w: {"action": "dismissed", "reason": "Done it elsewhere"}),
    Row("agent-risk", "GET", allow(200, ["lead", "other_lead", "ld"], other_lead=404),
        _agent()),
    Row("risk-list", "GET", allow(200, ["lead", "other_lead", "ld"])),
    Row("team-list", "GET", allow(200, ["lead", "other_lead", *STAFF])),
    Row("team-detail", "GET", allow(200, ["lead", "other_lead", *STAFF], other_lead=404),
        _code("team_a")),
    Row("team-performance", "GET", allow(200, ["lead", "other_lead", "ld"], other_lead=404),
        _code("team_a")),
    # --- development
    Row("assignment-list", "GET", allow(200, PEOPLE)),
    Row("assignment-list", "POST", allow(201, ["lead", "other_lead", *STAFF], agent=403,
                                         other_agent=404, other_lead=404),
        body=lambda w: {"employee": w.a1.employee_id, "item": w.item3.code,
                        "reason": "Coaching follow-up"}),
    Row("assignment-detail", "GET", allow(200, PEOPLE, **HIDDEN), _pk("assignment")),
    Row("assignment-status", "POST", allow(200, PEOPLE, **HIDDEN), _pk("assignment"),
        body=lambda w: {"status": "in_progress"}),
    Row("completion-list", "GET", allow(200, PEOPLE)),
    Row("completion-detail", "GET", allow(200, PEOPLE, **HIDDEN), _pk("completion")),
    Row("coaching-session-list", "GET", allow(200, PEOPLE)),
    Row("coaching-session-list", "POST", allow(201, ["lead", "other_lead", *STAFF],
                                               other_agent=404, other_lead=404),
        body=lambda w: {"employee": w.a1.employee_id, "held_on": "2025-03-28",
                        "notes": "Went well"}),
    Row("coaching-session-detail", "GET", allow(200, PEOPLE, **HIDDEN), _pk("session")),
    Row("coaching-session-detail", "PATCH", allow(200, COACHES, other_lead=404),
        _pk("session"), body=lambda w: {"notes": "Agreed a follow-up",
                                        "follow_up_date": "2025-04-04"}),
    Row("coaching-session-acknowledge", "POST", allow(200, ["agent", "other_agent"],
                                                      other_agent=404), _pk("session")),
    Row("coaching-queue-list", "GET", allow(200, COACHES)),
    Row("coaching-queue-approve", "POST", allow(201, COACHES, other_lead=404), _coaching_rec,
        body=lambda w: {"held_on": "2025-04-02", "follow_up_date": "2025-04-16"}),
    Row("coaching-queue-assign", "POST", allow(201, COACHES, other_lead=404), _coaching_rec,
        body=lambda w: {"item": w.item3.code, "due_date": "2099-01-31"}),
    Row("coaching-queue-dismiss", "POST", allow(201, COACHES, other_lead=404), _coaching_rec,
        body=lambda w: {"reason": "Covered in last week's session"}),
    # --- operations
    Row("import-list", "GET", allow(200, STAFF)),
    Row("import-list", "POST", allow(202, STAFF), body=_zip, format="multipart"),
    Row("import-detail", "GET", allow(200, STAFF), _pk("import_job")),
    Row("job-list", "GET", allow(200, STAFF)),
    Row("job-detail", "GET", allow(200, STAFF), _pk("import_job")),
    Row("training-run-list", "GET", allow(200, STAFF)),
    Row("training-run-list", "POST", allow(202, STAFF), body=lambda w: {}),
    Row("training-run-detail", "GET", allow(200, STAFF), _pk("train_job")),
    Row("scoring-run-list", "GET", allow(200, STAFF)),
    Row("scoring-run-list", "POST", allow(202, STAFF), body=lambda w: {}),
    Row("scoring-run-detail", "GET", allow(200, STAFF), _scoring_job),
    Row("pilot-list", "GET", allow(200, STAFF)),
    Row("pilot-list", "POST", allow(201, STAFF), _pilot_team,
        body=lambda w: {"name": "Listening pilot", "item": w.item2.code,
                        "teams": [w.pilot_team.code], "seed": 3}),
    Row("pilot-detail", "GET", allow(200, STAFF), _pilot),
    Row("model-version-list", "GET", allow(200, STAFF)),
    Row("model-version-detail", "GET", allow(200, STAFF), _pk("model")),
    Row("model-version-rollback", "POST", allow(200, STAFF), _pk("old_model")),
    Row("report-list", "GET", allow(200, STAFF)),
    Row("report-detail", "GET", allow(200, STAFF), lambda w: {"kind": "roi"}),
]


def table() -> list[tuple[str, str, str, int]]:
    """The flat (role, method, URL name, status) view of API_ROWS."""
    return [(role, row.method, row.name, status)
            for row in API_ROWS for role, status in row.expect.items()]
