"""Feedback on recommendations reaches the next training run and the next scoring run."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from lnd.models import Completion, ModelVersion, Recommendation, RecommendationFeedback
from lnd.services import ml_jobs
from lnd.services.feedback import recommendation_feedback
from lnd.services.ml_io import dataset_from_db
from recommender.gain.model import GainModel
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def centre(simulated_centre) -> Path:
    return simulated_centre(80, 40, 5)


def _impressions_before(completions, *, propensity: float) -> None:
    """As if each completion followed an impression of the item a week earlier."""
    for c in completions:
        row = RecommendationFeedback.objects.create(
            employee=c.employee, item=c.item, action="shown", rank=5, propensity=propensity)
        RecommendationFeedback.objects.filter(pk=row.pk).update(
            created_at=row.created_at.replace(
                year=c.completed_on.year, month=c.completed_on.month, day=c.completed_on.day)
            - timedelta(days=7))


def test_explored_impressions_reweigh_the_exposures_they_led_to(centre, tmp_path, settings):
    settings.LND_ARTIFACT_DIR = tmp_path
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    without = ml_jobs.gain_model_train(seed=3)
    assert without.metrics["exposures_weighted_by_propensity"] == 0

    led = list(Completion.objects.select_related("employee", "item")
               .order_by("completed_on", "pk")[10:70])
    _impressions_before(led, propensity=0.002)
    with_log = ml_jobs.gain_model_train(seed=3)

    assert with_log.metrics["feedback_shown"] == 60
    assert with_log.metrics["exposures_weighted_by_propensity"] > 0
    # same data and seed: only the weights differ, so the effect model must differ
    a, b = (GainModel.load(v.artifact_path) for v in (without, with_log))
    assert a.tau_.model_to_string() != b.tau_.model_to_string()


def test_uptake_learned_from_impressions_and_accepts_is_kept_with_the_model(
        centre, tmp_path, settings):
    settings.LND_ARTIFACT_DIR = tmp_path
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    people = list(Completion.objects.select_related("employee", "item")[:40])
    never, always = people[0].item, next(c.item for c in people if c.item != people[0].item)
    for c in people:
        for item in (never, always):
            RecommendationFeedback.objects.create(employee=c.employee, item=item,
                                                  action="shown", propensity=0.9)
        RecommendationFeedback.objects.create(employee=c.employee, item=always,
                                              action="accepted", propensity=0.9)
    version = ml_jobs.gain_model_train(seed=3)
    uptake = GainModel.load(version.artifact_path).item_uptake_
    assert uptake[never.code] < 1.0 < uptake[always.code]
    assert ModelVersion.objects.filter(pk=version.pk).exists()


def test_a_dismissed_item_is_not_recommended_to_that_agent_again(centre):
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    ml_jobs.recommendations_score()  # the skill-gap fallback: no model trained
    rec = Recommendation.objects.filter(run__is_current=True).order_by("employee", "rank") \
        .first()
    agent_user = factories.user("agent", employee=rec.employee)
    recommendation_feedback(user=agent_user, recommendation=rec, action="dismissed",
                            reason="I covered this in my last job")
    assert not dataset_from_db().recommendation_feedback.empty

    ml_jobs.recommendations_score_agent(employee=rec.employee)
    now = Recommendation.objects.filter(run__is_current=True, employee=rec.employee)
    assert now.exists() and not now.filter(item=rec.item).exists()
