"""List endpoints run a fixed number of queries however many rows they return."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lnd.models import (
    AccessLog,
    Assignment,
    Completion,
    LearningItem,
    Recommendation,
    RiskScore,
)
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

LISTS = [("ld", "/api/agents/"), ("ld", "/api/assignments/"), ("ld", "/api/completions/"),
         ("ld", "/api/coaching-sessions/"), ("ld", "/api/learning-items/"),
         ("ld", "/api/roles/"), ("ld", "/api/career-paths/"), ("ld", "/api/risk/"),
         ("ld", "/api/jobs/"), ("ld", "/api/imports/"), ("ld", "/api/model-versions/"),
         ("lead", "/api/teams/"), ("agent", "/api/me/access-log/"),
         ("agent", "/api/agents/{a1}/recommendations/")]


def count(client, url) -> int:
    cache.clear()  # count the full path, not a cached body
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(world, first_rank: int) -> None:
    """Add more rows of every listed kind."""
    run = world.recommendation.run.pk
    risk_run = RiskScore.objects.first().run
    for n in range(3):
        e = f.employee(team=world.team_a)
        item = f.item()
        item.skills.add(world.skill)
        Assignment.objects.create(employee=e, item=item, assigned_by="lead")
        Completion.objects.create(employee=e, item=item, completed_on="2025-03-01")
        RiskScore.objects.create(run=risk_run, employee=e, risk_90d=0.2)
        AccessLog.objects.create(viewer=world.users["lead"], subject=world.a1, what="risk")
        Recommendation.objects.create(
            run_id=run, employee=world.a1, item=item, rank=first_rank + n, score=0.1,
            expected_gain=0.1, gain_low=0, gain_high=0.2)
    LearningItem.objects.first().prerequisites.add(LearningItem.objects.last())


@pytest.mark.parametrize(("role", "url"), LISTS)
def test_a_list_does_not_query_per_row(role, url):
    world = build_world()
    url = url.format(a1=world.a1.employee_id)
    client = client_for(world.users[role])
    grow(world, first_rank=2)  # so no list is empty (an empty page skips a query)
    count(client, url)  # warm-up: the first call may fill per-process caches
    small = count(client, url)
    grow(world, first_rank=5)
    assert count(client, url) == small
