from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from lnd.models import (
    AccessLog,
    CoachingSession,
    Interaction,
    Job,
    PulseSurvey,
    QAEvaluation,
    Recommendation,
    RecommendationFeedback,
    RecommendationRun,
    ScoringChunk,
)
from lnd.services.governance import retention_enforce
from tests import factories as f
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def test_retention_removes_or_blanks_only_what_is_past_its_period(settings):
    settings.LND_RETENTION_DAYS = {**settings.LND_RETENTION_DAYS,
                                   "interaction_transcripts": 30, "interactions": 365,
                                   "pulse_comments": 30, "pulse_answers": 365,
                                   "access_logs": 30, "qa_evaluations": 365,
                                   "coaching_notes": 30, "job_records": 30}
    w = build_world()
    old, recent, ancient = TODAY - timedelta(days=60), TODAY - timedelta(days=5), \
        TODAY - timedelta(days=400)
    for n, day in enumerate((old, recent, ancient)):
        Interaction.objects.create(interaction_id=f"i{n}", employee=w.a1,
                                   started_at=timezone.now(), period_start=day,
                                   channel="chat", transcript="words")
        PulseSurvey.objects.create(employee=w.a2, answered_at=day, engagement=3,
                                   wellbeing=3, enps=5, comment="text")
        QAEvaluation.objects.create(evaluation_id=f"q{n}", skill=w.skill, employee=w.a1,
                                    evaluated_on=day, score=80)
        CoachingSession.objects.create(session_id=f"c{n}", employee=w.a2, held_on=day,
                                       notes="notes")
    stale = AccessLog.objects.create(viewer=w.users["lead"], subject=w.a1, what="risk")
    AccessLog.objects.filter(pk=stale.pk).update(at=timezone.now() - timedelta(days=3650))
    AccessLog.objects.create(viewer=w.users["lead"], subject=w.a1, what="risk")
    Job.objects.filter(pk=w.import_job.pk).update(
        finished_at=timezone.now() - timedelta(days=3650))

    done = retention_enforce(today=TODAY)

    assert set(Interaction.objects.values_list("interaction_id", "transcript")) == {
        ("i0", ""), ("i1", "words")}
    assert sorted(PulseSurvey.objects.filter(employee=w.a2).values_list(
        "answered_at", "comment")) == [(old, ""), (recent, "text")]
    assert set(QAEvaluation.objects.values_list("evaluation_id", flat=True)) == {"q0", "q1"}
    assert set(CoachingSession.objects.filter(employee=w.a2).values_list(
        "session_id", "notes")) == {("c0", ""), ("c1", "notes"), ("c2", "")}
    assert AccessLog.objects.count() == 1
    assert not Job.objects.filter(pk=w.import_job.pk).exists()
    assert done["interactions"] == 1 and done["access_logs"] == 1
    assert retention_enforce(today=TODAY)["interactions"] == 0  # idempotent


def test_every_category_has_a_period():
    from lnd import settings as project
    assert set(project.LND_RETENTION_DAYS) >= {"interaction_transcripts", "pulse_comments",
                                               "access_logs"}
    assert all(days > 0 for days in project.LND_RETENTION_DAYS.values())


def test_old_recommendation_runs_go_with_their_lists_and_the_impression_log_stays(settings):
    settings.LND_RETENTION_DAYS = {**settings.LND_RETENTION_DAYS, "recommendation_runs": 30}
    w = build_world()
    item = f.item()
    RecommendationRun.objects.update(is_current=False)
    world_runs = set(RecommendationRun.objects.values_list("pk", flat=True))  # made today
    runs = {}
    for name, age in (("old", 60), ("old_current", 90), ("recent", 5)):
        run = RecommendationRun.objects.create(as_of=TODAY, is_current=name == "old_current")
        RecommendationRun.objects.filter(pk=run.pk).update(
            created_at=timezone.make_aware(datetime.combine(TODAY - timedelta(days=age),
                                                            time(12))))
        ScoringChunk.objects.create(run=run, index=0, employee_ids=[w.a1.employee_id])
        runs[name] = Recommendation.objects.create(run=run, employee=w.a1, item=item, rank=1,
                                                   score=0.1)
    shown = RecommendationFeedback.objects.create(
        recommendation=runs["old"], employee=w.a1, item=item, action="shown", rank=1,
        propensity=0.9)

    done = retention_enforce(today=TODAY)

    kept = {runs["old_current"].run_id, runs["recent"].run_id}
    assert done["recommendation_runs"] == 1
    assert set(RecommendationRun.objects.values_list("pk", flat=True)) == kept | world_runs
    assert set(Recommendation.objects.values_list("run_id", flat=True)) - world_runs == kept
    assert set(ScoringChunk.objects.values_list("run_id", flat=True)) - world_runs == kept
    shown.refresh_from_db()
    assert shown.recommendation is None and (shown.rank, shown.propensity) == (1, 0.9)
    assert retention_enforce(today=TODAY)["recommendation_runs"] == 0  # idempotent
