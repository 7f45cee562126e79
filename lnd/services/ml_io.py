"""The one place that turns database rows into the recommender's Dataset.

Rows dated after the as-of date are left out, so a model trained "as of" a past date
sees exactly what existed then.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from django.db import connection
from django.db.models import Avg, CharField, Exists, F, Func, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from lnd.models import (
    CareerPathStep,
    CoachingSession,
    Completion,
    Employee,
    Interaction,
    LearningItem,
    Metric,
    PulseSurvey,
    QAEvaluation,
    RecommendationFeedback,
    Role,
    RoleHistory,
    RoleRequirement,
    Separation,
    Skill,
    SkillAssessment,
    Team,
    WeeklyPerformance,
)
from lnd.services.gc_pause import collector_paused
from recommender.api import scoring_since
from recommender.dataset import COLUMNS, Dataset

ALL_PEOPLE = Q()


def default_as_of() -> date | None:
    """The contract's default: the latest week present in performance data."""
    return WeeklyPerformance.objects.aggregate(latest=Max("period_start"))["latest"]


def dataset_from_db(*, as_of: date | None = None, employee_ids: list[str] | None = None,
                    scoring: bool = False,
                    whole: dict[str, pd.DataFrame] | None = None) -> Dataset:
    """All history up to `as_of`. With `employee_ids`, the per-agent frames and the
    roster (agents, role history, separations) hold only those people (a scoring chunk);
    catalogue and development history stay whole so popularity and item statistics are
    the same in every chunk. `whole`: the frames `whole_frames` reads for the same as-of,
    so a worker scoring many chunks reads them once.

    `scoring`: the per-agent frames hold only what the gain features read at as-of
    (tests/ml/test_scoring_read.py: the same features and lists as a full read):
    performance and QA scores of the weeks features read (`scoring_since`; QA without
    evaluation and evaluator ids), contacts of those weeks already averaged per agent and
    UTC week (one row per agent-week: `started_at` its Monday, `customer_sentiment` the
    mean, the other columns empty), and each agent's latest assessment of each skill."""
    as_of = as_of or default_as_of()
    if as_of is None:
        raise ValueError("No performance data yet: import data before training or scoring.")
    only = Q() if employee_ids is None else Q(employee__employee_id__in=employee_ids)
    since = scoring_since(as_of).date() if scoring else None
    loaders = {**_LOADERS, **_SCORING_LOADERS} if scoring else _LOADERS
    with collector_paused():
        frames = dict(whole) if whole is not None else whole_frames(as_of)
        for name, loader in loaders.items():
            if name in _WEEKLY:
                frames[name] = loader(as_of, only, since=since)
            elif name in _PER_AGENT:
                frames[name] = loader(as_of, only)
    if employee_ids is not None:
        for name in _ROSTER:
            frames[name] = frames[name][frames[name]["employee_id"].isin(employee_ids)]
    return Dataset(as_of=pd.Timestamp(as_of), **frames)


def whole_frames(as_of: date) -> dict[str, pd.DataFrame]:
    """The frames `dataset_from_db` reads whole whatever the people asked for: catalogue,
    roster and development history up to `as_of`."""
    return {name: loader(as_of) for name, loader in _LOADERS.items()
            if name not in _PER_AGENT}


def _text(field: str) -> Cast:
    """A date read as ISO text: parsed by pandas per column, not by the driver per value
    (SQLite's per-value date converters cost seconds on a million rows)."""
    return Cast(F(field), output_field=CharField())


def _frame(name: str, rows, *, dates: tuple[str, ...] = (), bools: tuple[str, ...] = (),
           codes: dict[str, dict] | None = None) -> pd.DataFrame:
    """Rows (a values_list queryset, read with one raw cursor, or a list) as a frame with
    the contract's column names. Dates and booleans are converted per column, not per
    value: Django's per-value converters cost more than the database on big tables.
    `codes`: columns read as foreign-key ids, with each id's code (`_codes`); a join per
    row costs the database more than a dictionary look-up per row costs Python."""
    if isinstance(rows, QuerySet):
        rows = _fetch(rows)
    frame = pd.DataFrame.from_records(list(rows), columns=COLUMNS[name])
    for column, lookup in (codes or {}).items():  # NULL stays None
        frame[column] = pd.Series([lookup.get(v) for v in frame[column].tolist()],
                                  index=frame.index, dtype=object)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601") \
            if len(frame) and isinstance(frame[column].iloc[0], str) \
            else pd.to_datetime(frame[column])
    for column in bools:  # 0/1 or True/False depending on the driver; NULL stays None
        frame[column] = [None if v is None else bool(v) for v in frame[column].tolist()]
    return frame


def _fetch(rows: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as the driver returns them, through one raw cursor:
    without the ORM's per-row converters (the columns here need none)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _codes(model, field: str = "code") -> dict[int, str]:
    return dict(model.objects.values_list("pk", field))


def _skills(as_of):
    return _frame("skills", Skill.objects.values_list("code", "name", "category", "description"))


def _roles(as_of):
    return _frame("roles", Role.objects.values_list("code", "name", "family", "level"))


def _role_requirements(as_of):
    return _frame("role_requirements", RoleRequirement.objects.values_list(
        "role__code", "skill__code", "min_level"))


def _career_paths(as_of):
    return _frame("career_paths", CareerPathStep.objects.values_list(
        "path__code", "path__name", "step", "role__code"))


def _learning_items(as_of):
    items = list(LearningItem.objects.prefetch_related("skills", "prerequisites"))
    rows = [(i.code, i.title, i.kind, i.duration_minutes, float(i.cost),
             sorted(s.code for s in i.skills.all()), i.description,
             sorted(p.code for p in i.prerequisites.all()), i.xapi_activity_id, i.delivery,
             i.active, i.mandatory, i.recertify_months) for i in items]
    return _frame("learning_items", rows)


def _metrics(as_of):
    return _frame("metrics", Metric.objects.values_list(
        "code", "name", "unit", "higher_is_better", "weight"), bools=("higher_is_better",))


def _teams(as_of):
    return _frame("teams", Team.objects.values_list(
        "code", "name", "site__name", "lead__employee_id"))


def _agents(as_of):
    rows = Employee.objects.filter(hire_date__lte=as_of).values_list(
        "employee_id", "name", "email", "team__code", "role__code", "hire_date",
        "work_arrangement", "employment_type", "goal_role__code", "hourly_cost")
    frame = _frame("agents", rows, dates=("hire_date",))
    frame["hourly_cost"] = pd.to_numeric(frame["hourly_cost"], errors="raise")
    return frame


def _role_history(as_of):
    return _frame("role_history", RoleHistory.objects.filter(from_date__lte=as_of).values_list(
        "employee__employee_id", "from_date", "role__code"), dates=("from_date",))


def _separations(as_of):
    return _frame("separations", Separation.objects.filter(
        separation_date__lte=as_of).values_list(
        "employee__employee_id", "separation_date", "reason"), dates=("separation_date",))


def _performance(as_of, only=ALL_PEOPLE, since=None):
    return _frame("performance", WeeklyPerformance.objects.filter(
        only, period_start__lte=as_of, **({"period_start__gte": since} if since else {})
    ).values_list(
        "employee__employee_id", _text("period_start"), "metric_id", "value"),
        dates=("period_start",), codes={"metric_code": _codes(Metric)})


def _qa_evaluations(as_of, only=ALL_PEOPLE, since=None):
    return _frame("qa_evaluations", QAEvaluation.objects.filter(
        only, evaluated_on__lte=as_of, **({"evaluated_on__gte": since} if since else {})
    ).values_list(
        "evaluation_id", "skill_id", "employee__employee_id", _text("evaluated_on"),
        "evaluator_id", "score"), dates=("evaluated_at",),
        codes={"skill_code": _codes(Skill),
               "evaluator_employee_id": _codes(Employee, "employee_id")})


def _interactions(as_of, only=ALL_PEOPLE, since=None):
    frame = _frame("interactions", Interaction.objects.filter(
        only, period_start__lte=as_of, **({"period_start__gte": since} if since else {})
    ).values_list(
        "interaction_id", "employee__employee_id", _text("started_at"), "channel", "topic",
        "customer_sentiment", "handle_seconds", "resolved", "csat"), bools=("resolved",))
    # The Dataset is naive throughout; stored instants are UTC.
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True, format="ISO8601"
                                         ).dt.tz_localize(None)
    return frame


class _UtcWeekStart(Func):
    """Monday of a stored instant's week in UTC, as ISO text (how the panel weeks it)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra,
                           template="date(%(expressions)s, '-6 days', 'weekday 1')")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra, template=(
            "to_char(date_trunc('week', %(expressions)s AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"))


def _weekly_sentiment(as_of, only, since):
    """Contacts as one row per agent and UTC week with their mean sentiment: the only
    thing the gain features read from contacts (`dataset_from_db(scoring=True)`)."""
    rows = Interaction.objects.filter(  # a local week earlier: scoring_since
        only, period_start__lte=as_of, period_start__gte=since - timedelta(weeks=1)
    ).annotate(week=_UtcWeekStart("started_at")).values(
        "employee__employee_id", "week").annotate(
        sentiment=Avg("customer_sentiment")).values_list(
        "employee__employee_id", "week", "sentiment")
    weekly = pd.DataFrame.from_records(_fetch(rows), columns=[
        "employee_id", "started_at", "customer_sentiment"])
    frame = pd.DataFrame({c: weekly.get(c)
                          for c in COLUMNS["interactions"]}, index=weekly.index)
    frame["started_at"] = pd.to_datetime(frame["started_at"], format="ISO8601")
    frame["customer_sentiment"] = frame["customer_sentiment"].astype(float)
    return frame


def _qa_scores(as_of, only, since):
    """QA evaluations without their evaluation and evaluator ids (left empty): the gain
    features read the scores only, and the ids are a third of what the rows cost."""
    return _frame("qa_evaluations", QAEvaluation.objects.filter(
        only, evaluated_on__lte=as_of, evaluated_on__gte=since).values_list(
        Value(None, output_field=CharField()), "skill_id", "employee__employee_id",
        _text("evaluated_on"), Value(None, output_field=CharField()), "score"),
        dates=("evaluated_at",), codes={"skill_code": _codes(Skill)})


def _latest_assessments(as_of, only):
    """Each agent's latest assessment of each skill on or before as-of: the level the
    gain features carry forward to as-of (one per day: `assessment_natural_key`)."""
    later = SkillAssessment.objects.filter(
        employee=OuterRef("employee"), skill=OuterRef("skill"),
        assessed_at__gt=OuterRef("assessed_at"), assessed_at__lte=as_of)
    return _frame("skill_assessments", SkillAssessment.objects.filter(
        only, ~Exists(later), assessed_at__lte=as_of).values_list(
        "employee__employee_id", "skill_id", _text("assessed_at"), "level", "source"),
        dates=("assessed_at",), codes={"skill_code": _codes(Skill)})


def _pulse_surveys(as_of, only=ALL_PEOPLE):
    # Answers feed models as numbers only; comments never leave the agent's own pages.
    return _frame("pulse_surveys", PulseSurvey.objects.filter(
        only, answered_at__lte=as_of).values_list(
        "employee__employee_id", _text("answered_at"), "engagement", "wellbeing", "enps"),
        dates=("answered_at",))


def _skill_assessments(as_of, only=ALL_PEOPLE):
    return _frame("skill_assessments", SkillAssessment.objects.filter(
        only, assessed_at__lte=as_of).values_list(
        "employee__employee_id", "skill_id", _text("assessed_at"), "level", "source"),
        dates=("assessed_at",), codes={"skill_code": _codes(Skill)})


def _completions(as_of):
    return _frame("completions", Completion.objects.filter(
        completed_on__lte=as_of).values_list(
        "employee__employee_id", "item__code", _text("completed_on"), "score",
        "assigned_by"),
        dates=("completed_at",))


def _coaching_sessions(as_of):
    return _frame("coaching_sessions", CoachingSession.objects.filter(
        Q(held_on__lte=as_of)).values_list(
        "session_id", "employee__employee_id", "coach__employee_id", "held_on",
        "item__code"), dates=("held_at",))


def _recommendation_feedback(as_of, only=ALL_PEOPLE):
    # The whole log, not cut at as-of: it runs on the product's clock, not the data's (a
    # dismissal made today, after the latest imported week, must count tonight). Training
    # matches each impression only to exposures after it, so nothing leaks backwards.
    frame = _frame("recommendation_feedback", RecommendationFeedback.objects.filter(
        only).values_list(
        "employee__employee_id", "item__code", "action", "created_at", "rank", "propensity",
        "reason", "rating"))
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601").dt.tz_localize(None)
    return frame


_PER_AGENT = {"performance", "qa_evaluations", "interactions", "pulse_surveys",
              "skill_assessments", "recommendation_feedback"}

_WEEKLY = {"performance", "qa_evaluations", "interactions"}  # also per agent
# What `dataset_from_db(scoring=True)` reads instead.
_SCORING_LOADERS = {"interactions": _weekly_sentiment, "qa_evaluations": _qa_scores,
                    "skill_assessments": _latest_assessments}
# Read whole once per worker and cut to a chunk's people in memory (small tables).
_ROSTER = ("agents", "role_history", "separations")
_LOADERS = {
    "skills": _skills, "roles": _roles, "role_requirements": _role_requirements,
    "career_paths": _career_paths, "learning_items": _learning_items, "metrics": _metrics,
    "teams": _teams, "agents": _agents, "role_history": _role_history,
    "separations": _separations, "performance": _performance,
    "qa_evaluations": _qa_evaluations, "interactions": _interactions,
    "pulse_surveys": _pulse_surveys, "skill_assessments": _skill_assessments,
    "completions": _completions, "coaching_sessions": _coaching_sessions,
    "recommendation_feedback": _recommendation_feedback,
}
