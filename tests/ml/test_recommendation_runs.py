from datetime import date

import pytest

from lnd.models import Recommendation, RecommendationRun
from lnd.selectors.development import recommendations_for
from lnd.services import recommendation_runs as runs
from tests import factories as f

pytestmark = pytest.mark.django_db


def _rec(run, employee, item, rank):
    """A row in runs.ROW_FIELDS order."""
    return (run.pk, employee.pk, item.pk, rank, 1.0, 0.1, 0.0, 0.2, ["r"], False, "", 1.0,
            False, 1)


def test_rows_written_without_model_instances_read_back_whole():
    agent, item = f.employee(), f.item()
    run = runs.run_start(as_of=date(2025, 6, 2))
    row = (run.pk, agent.pk, item.pk, 2, 0.5, None, None, None,
           ["Your QA score fell.", "Ünïcode ✓"], True, "Targets 1 of 2", 0.25, True, 3)
    assert runs.run_add(run=run, rows=[row]) == 1
    saved = Recommendation.objects.get(run=run)
    assert (saved.rank, saved.score, saved.expected_gain, saved.reasons, saved.on_path,
            saved.path_note, saved.propensity, saved.explored, saved.plan_week) == (
        2, 0.5, None, ["Your QA score fell.", "Ünïcode ✓"], True, "Targets 1 of 2", 0.25,
        True, 3)


def test_readers_see_the_old_run_until_the_new_one_is_switched():
    agent, old_item, new_item = f.employee(), f.item(), f.item()
    old = runs.run_start(as_of=date(2025, 6, 2))
    runs.run_add(run=old, rows=[_rec(old, agent, old_item, 1)])
    runs.run_switch(run=old)

    new = runs.run_start(as_of=date(2025, 6, 9))
    runs.run_add(run=new, rows=[_rec(new, agent, new_item, 1)])
    assert [r.item for r in recommendations_for(agent)] == [old_item]

    runs.run_switch(run=new)
    assert [r.item for r in recommendations_for(agent)] == [new_item]
    assert list(RecommendationRun.objects.filter(is_current=True)) == [new]


def test_a_failed_run_never_becomes_visible():
    agent, item = f.employee(), f.item()
    run = runs.run_start(as_of=date(2025, 6, 2))
    runs.run_add(run=run, rows=[_rec(run, agent, item, 1)])
    runs.run_fail(run=run)
    assert list(recommendations_for(agent)) == []


def test_only_one_run_can_be_current_in_the_database():
    from django.db import IntegrityError, transaction

    a, b = runs.run_start(as_of=date(2025, 6, 2)), runs.run_start(as_of=date(2025, 6, 2))
    runs.run_switch(run=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationRun.objects.filter(pk=b.pk).update(is_current=True)
