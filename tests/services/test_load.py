"""A load test on demo-sized data: gunicorn on the test database, wrk at 1, 4 and 16
concurrent connections against the recommendations API and the team overview. Here it
asserts zero errors only; the figures come from bench/bench_http.py."""

from __future__ import annotations

import io
import urllib.request

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from lnd.loadtest import gunicorn_server, wrk
from lnd.models import User
from recommender.simulation import simulate

from .conftest import worker_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
TEAM_OVERVIEW_URL_NAME = "team_overview"


@pytest.fixture
def demo_server(tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    simulate(folder, n_agents=300, weeks=52, seed=7)
    quiet = io.StringIO()
    call_command("import_data", str(folder), stdout=quiet, stderr=quiet)
    call_command("recommend", "--all", stdout=quiet)
    monkeypatch.setenv("DEMO_PASSWORD", "load-test-password-1")
    call_command("create_demo_users", stdout=quiet)
    # One user hammering the API is the load generator here, not abuse to throttle.
    env = {**worker_env(), "OMP_NUM_THREADS": "1", "LND_THROTTLE_USER": "1000000/min"}
    with (tmp_path / "gunicorn.log").open("w") as log, \
            gunicorn_server(env=env, workers=3, log=log) as base:
        yield base


def _session_cookie(user: User) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}"


def test_no_errors_under_load_at_1_4_and_16_connections(demo_server):
    agent = User.objects.get(username="agent")
    token = Token.objects.get_or_create(user=agent)[0].key
    api = demo_server + f"/api/agents/{agent.employee.employee_id}/recommendations/"
    lead = User.objects.get(username="lead")
    page = demo_server + reverse(TEAM_OVERVIEW_URL_NAME)
    targets = {"recommendations API": (api, {"Authorization": f"Token {token}"}),
               "team overview": (page, {"Cookie": _session_cookie(lead)})}
    for url, headers in targets.values():
        _warm_up(url, headers)
    for connections in (1, 4, 16):
        for name, (url, headers) in targets.items():
            result = wrk(url, connections=connections, seconds=3, headers=headers)
            assert result.requests > 0, (name, connections)
            assert (result.errors, result.non_2xx) == (0, 0), (name, connections, result)


def _warm_up(url: str, headers: dict[str, str], requests: int = 12) -> None:
    """A few requests before measuring, each allowed a minute: a gunicorn worker's first
    request imports and compiles what later ones reuse (seconds on a loaded machine), and
    a 3-second wrk run that only waits for it counts no requests at all."""
    for _ in range(requests):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=60) as response:
            assert response.status == 200, url
