"""A small organisation with one user per role, for access tests and API tests.

Team A: lead_a (user "lead"), agents a1 (user "agent") and a2 (user "other_agent"), and a
leaver. Team B: lead_b (user "other_lead") and b1. Plus L&D, admin, an integration client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from lnd.models import (
    Assignment,
    CareerPath,
    CareerPathStep,
    CoachingSession,
    Completion,
    Employee,
    ImportFileReport,
    Job,
    LearningItem,
    Metric,
    ModelVersion,
    PulseSurvey,
    Recommendation,
    RecommendationRun,
    ReportCache,
    RiskRun,
    RiskScore,
    Role,
    RoleRequirement,
    Site,
    Skill,
    User,
    WeeklyPerformance,
)
from tests import factories as f

ROLES = ("agent", "other_agent", "lead", "other_lead", "ld", "admin", "integration", "anon")


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    w = World()
    o = w.objects
    o["site"] = Site.objects.create(name="Open site")
    team_a, lead_a, (a1, a2) = f.team_with_lead_and_agents(2)
    team_b, lead_b, (b1,) = f.team_with_lead_and_agents(1)
    for t in (team_a, team_b):
        t.site = o["site"]
        t.save()
    o.update(team_a=team_a, team_b=team_b, lead_a=lead_a, lead_b=lead_b, a1=a1, a2=a2, b1=b1)
    o["leaver"] = f.employee(team=team_a, status=Employee.Status.LEFT)
    w.users = {
        "agent": f.user(User.Role.AGENT, employee=a1),
        "other_agent": f.user(User.Role.AGENT, employee=a2),
        "lead": f.user(User.Role.TEAM_LEAD, employee=lead_a),
        "other_lead": f.user(User.Role.TEAM_LEAD, employee=lead_b),
        "ld": f.user(User.Role.LD_SPECIALIST),
        "admin": f.user(User.Role.ADMIN),
        "integration": f.user(User.Role.INTEGRATION),
    }
    _catalogue(o)
    _development(o)
    _signals(o)
    _operations(o)
    return w


def _catalogue(o: dict) -> None:
    o["skill"] = Skill.objects.create(code="empathy", name="Empathy")
    o["free_skill"] = Skill.objects.create(code="unused-skill", name="Unused")
    o["role"] = Role.objects.create(code="agent1", name="Agent", family="frontline")
    o["free_role"] = Role.objects.create(code="unused-role", name="Unused", family="specialist")
    RoleRequirement.objects.create(role=o["role"], skill=o["skill"], min_level=2)
    o["path"] = CareerPath.objects.create(code="frontline", name="Frontline")
    CareerPathStep.objects.create(path=o["path"], step=1, role=o["role"])
    o["item"] = f.item(code="listen", xapi_activity_id="https://lms.example.com/listen")
    o["item2"] = f.item(code="calm")
    o["item3"] = f.item(code="close")
    o["free_item"] = f.item(code="unused-item")
    o["item"].skills.add(o["skill"])
    o["metric"] = Metric.objects.create(code="csat", name="CSAT", weight=1)


def _development(o: dict) -> None:
    a1 = o["a1"]
    o["assignment"] = Assignment.objects.create(employee=a1, item=o["item"],
                                                   assigned_by="lead")
    o["completion"] = Completion.objects.create(employee=a1, item=o["item2"],
                                                completed_on=date(2025, 3, 3))
    o["session"] = CoachingSession.objects.create(session_id="s1", employee=a1,
                                                  coach=o["lead_a"], held_on=date(2025, 3, 4),
                                                  notes="Practised de-escalation")
    run = RecommendationRun.objects.create(as_of=date(2025, 3, 31), status="complete",
                                           is_current=True)
    o["recommendation"] = Recommendation.objects.create(
        run=run, employee=a1, item=o["item3"], rank=1, score=0.3, expected_gain=0.2,
        gain_low=0.1, gain_high=0.3, reasons=["Your CSAT trails the team."])


def _signals(o: dict) -> None:
    week = date(2025, 3, 24)
    for e in (o["a1"], o["a2"]):
        WeeklyPerformance.objects.create(employee=e, period_start=week, metric=o["metric"],
                                         value=4.2)
    PulseSurvey.objects.create(employee=o["a1"], answered_at=date(2025, 3, 20), engagement=4,
                               wellbeing=2, enps=7, comment="SECRET-PULSE-COMMENT")
    risk_run = RiskRun.objects.create(as_of=date(2025, 3, 31), is_current=True)
    for e, p in ((o["a1"], 0.41), (o["a2"], 0.12), (o["b1"], 0.3)):
        RiskScore.objects.create(run=risk_run, employee=e, risk_90d=p,
                                 drivers=["Tenure under a year"])


def _operations(o: dict) -> None:
    o["import_job"] = Job.objects.create(kind=Job.Kind.IMPORT, state=Job.State.FAILED,
                                         finished_at=timezone.now())
    o["train_job"] = Job.objects.create(kind=Job.Kind.TRAIN, state=Job.State.SUCCEEDED,
                                        finished_at=timezone.now())
    ImportFileReport.objects.create(job=o["import_job"], file_name="agents.csv",
                                    status="rejected", rows=3,
                                    errors=["agents.csv:3: email: not an email"])
    common = dict(kind=ModelVersion.Kind.GAIN, as_of=date(2025, 3, 31), artifact_path="x",
                  artifact_sha256="0" * 64)
    o["old_model"] = ModelVersion.objects.create(status=ModelVersion.Status.RETIRED, **common)
    o["model"] = ModelVersion.objects.create(status=ModelVersion.Status.ACTIVE, **common)
    o["report"] = ReportCache.objects.create(kind="roi", data_version="v1",
                                             payload={"total": 1})


def xapi_statement(employee: Employee, item: LearningItem) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent",
                  "account": {"homePage": "https://lms.example.com", "name": employee.employee_id}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": item.xapi_activity_id, "objectType": "Activity"},
        "result": {"score": {"scaled": 0.9}},
        "timestamp": (timezone.now() - timedelta(days=1)).isoformat(),
    }
