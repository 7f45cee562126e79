"""Everything held about one person, as JSON-ready data (the subject access request).

SECTIONS names, for every foreign key to Employee in the project, what the export holds
under it; tests/security/test_export.py fails when a new foreign key is not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from lnd.models import (
    AccessLog,
    Assignment,
    CoachingSession,
    Completion,
    Employee,
    Interaction,
    PilotMember,
    PulseSurvey,
    QAEvaluation,
    Recommendation,
    RecommendationFeedback,
    RiskScore,
    RoleHistory,
    Separation,
    SkillAssessment,
    Team,
    User,
    WeeklyPerformance,
    XapiStatement,
)


@dataclass(frozen=True)
class Section:
    name: str
    model: type[models.Model]
    field: str  # the foreign key to Employee
    # None: every concrete field; otherwise these values() paths only (for rows where the
    # person is not the subject, e.g. sessions they coached: never the coachee's notes).
    values: tuple[str, ...] | None = None


SECTIONS: tuple[Section, ...] = (
    Section("account", User, "employee",
            ("username", "role", "email", "date_joined", "last_login", "is_active")),
    Section("teams_led", Team, "lead", ("code", "name")),
    Section("role_history", RoleHistory, "employee"),
    Section("separations", Separation, "employee"),
    Section("assignments", Assignment, "employee"),
    Section("completions", Completion, "employee"),
    Section("xapi_statements", XapiStatement, "employee"),
    Section("coaching_sessions", CoachingSession, "employee"),
    Section("coaching_sessions_given", CoachingSession, "coach", ("session_id", "held_on")),
    Section("performance", WeeklyPerformance, "employee"),
    Section("qa_evaluations", QAEvaluation, "employee"),
    Section("qa_evaluations_given", QAEvaluation, "evaluator",
            ("evaluation_id", "evaluated_on")),
    Section("interactions", Interaction, "employee"),
    Section("pulse_surveys", PulseSurvey, "employee"),
    Section("skill_assessments", SkillAssessment, "employee"),
    Section("recommendations", Recommendation, "employee"),
    Section("recommendation_feedback", RecommendationFeedback, "employee"),
    Section("risk_scores", RiskScore, "employee"),
    Section("pilot_memberships", PilotMember, "employee"),
    Section("access_log", AccessLog, "subject",
            ("viewer__username", "viewer__role", "what", "via", "at")),
)

PROFILE_FIELDS = ("employee_id", "name", "email", "team__code", "team__name", "role__code",
                  "goal_role__code", "hire_date", "work_arrangement", "employment_type",
                  "hourly_cost", "status")


def covered_foreign_keys() -> set[tuple[str, str]]:
    return {(s.model._meta.label, s.field) for s in SECTIONS}


def employee_export(*, employee: Employee) -> dict:
    data: dict = {"profile": Employee.objects.filter(pk=employee.pk).values(
        *PROFILE_FIELDS).get()}
    for section in SECTIONS:
        rows = section.model.objects.filter(**{section.field: employee})
        fields = section.values or tuple(
            f.attname for f in section.model._meta.concrete_fields)
        data[section.name] = list(rows.order_by("pk").values(*fields))
    return data
