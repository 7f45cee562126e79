"""The access log records each read of another person's data once per viewer, page and
kind of data within the repeat window; it never drops a first read."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from lnd import conf
from lnd.models import AccessLog
from lnd.services import governance
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    _, lead, agents = f.team_with_lead_and_agents(3)
    return f.user("team_lead", employee=lead), agents


def read_team(viewer, agents, via="/team/"):
    return governance.access_log_record_many(viewer=viewer, subjects=agents,
                                             what=("performance", "risk"), via=via)


def test_a_refresh_within_the_window_is_one_access(team):
    viewer, agents = team
    assert read_team(viewer, agents) == 6
    assert read_team(viewer, agents) == 0
    assert AccessLog.objects.count() == 6


def test_a_new_person_on_the_page_is_logged_at_once(team):
    viewer, agents = team
    read_team(viewer, agents[:2])
    assert read_team(viewer, agents) == 2
    assert set(AccessLog.objects.filter(subject=agents[2]).values_list("what", flat=True)) == {
        "performance", "risk"}


def test_another_page_or_viewer_is_another_access(team):
    viewer, agents = team
    read_team(viewer, agents)
    assert read_team(viewer, agents, via="/team/?sort=-risk") == 6
    other = f.user("ld_specialist")
    assert read_team(other, agents) == 6


def test_single_reads_share_the_window(team):
    viewer, agents = team
    first = governance.access_log_record(viewer=viewer, subject=agents[0], what="profile",
                                         via="/agents/x/")
    again = governance.access_log_record(viewer=viewer, subject=agents[0], what="profile",
                                         via="/agents/x/")
    assert first is not None and again is None
    assert AccessLog.objects.filter(what="profile").count() == 1


def test_a_zero_window_logs_every_read(team, monkeypatch):
    monkeypatch.setattr(conf, "ACCESS_LOG_REPEAT_SECONDS", 0)
    viewer, agents = team
    read_team(viewer, agents)
    read_team(viewer, agents)
    assert AccessLog.objects.count() == 12


def test_a_cold_cache_logs_again_rather_than_never(team):
    viewer, agents = team
    read_team(viewer, agents)
    cache.clear()  # an expired window, a restarted process or another process's cache
    assert read_team(viewer, agents) == 6


def test_a_failed_write_is_not_remembered(team, monkeypatch):
    viewer, agents = team

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(governance, "insert_many", broken)
    with pytest.raises(RuntimeError):
        read_team(viewer, agents)
    monkeypatch.undo()
    assert read_team(viewer, agents) == 6
