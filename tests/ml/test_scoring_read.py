"""Batch scoring's narrow read (`dataset_from_db(scoring=True)`: the last weeks only,
contacts already averaged per agent and UTC week in SQL, the latest assessment of each
skill) gives the same features and lists as reading the whole history. On SQLite here,
on PostgreSQL in the services lane: the week is computed by each database's own SQL."""

import io
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from lnd.models import Interaction, Metric, WeeklyPerformance
from lnd.services.ml_io import dataset_from_db
from recommender import api
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _same_context_and_lists(centre):
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    whole = dataset_from_db()
    narrow = dataset_from_db(scoring=True)
    assert len(narrow.performance) < len(whole.performance) / 2
    assert len(narrow.interactions) < len(whole.interactions) / 5
    # Assessments: each agent's latest of each skill, exactly those of the whole read.
    latest = whole.skill_assessments.sort_values("assessed_at").groupby(
        ["employee_id", "skill_code"]).tail(1)
    key = ["employee_id", "skill_code", "assessed_at", "level", "source"]
    assert len(narrow.skill_assessments) == len(latest) < len(whole.skill_assessments) / 2
    assert set(narrow.skill_assessments[key].itertuples(index=False)) == \
        set(latest[key].itertuples(index=False))
    # QA: the scores without the ids no feature reads.
    assert narrow.qa_evaluations[["evaluation_id", "evaluator_employee_id"]].isna().all().all()
    assert narrow.qa_evaluations["score"].notna().all() and len(narrow.qa_evaluations)
    model = api.train_gain_model(whole, seed=0, params={"n_boot": 2, "tau_rounds": 60}).model
    config = api.RecommendConfig(epsilon=0.0)
    a, b = (api._context(ds, model.standardiser_, config) for ds in (whole, narrow))
    assert (a.agent_ids == b.agent_ids).all() and (a.ok == b.ok).all()
    np.testing.assert_allclose(a.state.to_numpy(float), b.state.to_numpy(float),
                               rtol=1e-9, atol=1e-12)
    lists = [api.recommend(ds, model, config=config).ranked
             .sort_values(["employee_id", "rank"]).reset_index(drop=True)
             for ds in (whole, narrow)]
    assert len(lists[0]) > 0
    columns = ["employee_id", "rank", "item_code", "reasons", "on_path", "path_note"]
    assert lists[0][columns].equals(lists[1][columns])
    for column in ("score", "expected_gain", "gain_low", "gain_high"):
        np.testing.assert_allclose(lists[0][column], lists[1][column], rtol=1e-9)


def test_scoring_read_gives_the_whole_historys_features_and_lists(simulated_centre):
    _same_context_and_lists(simulated_centre(60, 40, 5))


@pytest.mark.services
def test_scoring_read_on_postgresql(simulated_centre):
    _same_context_and_lists(simulated_centre(60, 40, 5))


def _contacts_at_the_window_edges():
    """An agent with performance in as-of's week and two contacts at the edges of the
    12 weeks scoring reads: one stored in the local week before the window whose UTC week
    is the window's first (Sunday evening at UTC-5), one whose UTC week is before it."""
    as_of = date(2026, 3, 30)  # a Monday
    first = as_of - timedelta(weeks=11)
    agent = f.employee()
    WeeklyPerformance.objects.create(employee=agent, period_start=as_of, value=0.8,
                                     metric=Metric.objects.create(code="fcr_rate", name="FCR"))
    before = first - timedelta(weeks=1)
    minus_5 = timezone(timedelta(hours=-5))
    for n, (local, sentiment) in enumerate((
            (datetime.combine(before + timedelta(days=6), time(22), minus_5), 0.4),
            (datetime.combine(before + timedelta(days=6), time(12), minus_5), -0.9))):
        Interaction.objects.create(interaction_id=f"edge{n}", employee=agent,
                                   started_at=local, period_start=before, channel="voice",
                                   customer_sentiment=sentiment)
    return agent, first


def _utc_weeks_from_the_week_before():
    agent, first = _contacts_at_the_window_edges()
    narrow = dataset_from_db(scoring=True, employee_ids=[agent.employee_id]).interactions
    # Both are stored in the week before the window. The first is counted in the window's
    # first week (03:00 UTC on its Monday), so it must be read; the other in the week
    # before, where no feature looks.
    got = narrow.sort_values("started_at")[["started_at", "customer_sentiment"]]
    assert got.values.tolist() == [[pd.Timestamp(first - timedelta(weeks=1)), -0.9],
                                   [pd.Timestamp(first), 0.4]]


def test_scoring_read_counts_a_contact_in_its_utc_week_from_the_week_before():
    _utc_weeks_from_the_week_before()


@pytest.mark.services
def test_scoring_read_counts_utc_weeks_on_postgresql():
    _utc_weeks_from_the_week_before()
