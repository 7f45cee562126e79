"""A load test on demo-sized data: gunicorn on the test database, wrk at 1, 4 and 16
concurrent connections against the recommendations API and the team overview. Here it
asserts zero errors only; the figures come from bench/bench_http.py."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from lnd.loadtest import wrk
from lnd.models import User
from recommender.simulation import simulate

from .conftest import ROOT, worker_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
TEAM_OVERVIEW_URL_NAME = "team_overview"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    folder = tmp_path / "demo"
    simulate(folder, n_agents=300, weeks=52, seed=7)
    quiet = io.StringIO()
    call_command("import_data", str(folder), stdout=quiet, stderr=quiet)
    call_command("recommend", "--all", stdout=quiet)
    os.environ["DEMO_PASSWORD"] = "load-test-password-1"
    call_command("create_demo_users", stdout=quiet)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lnd.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3"], cwd=ROOT,
        # One user hammering the API is the load generator here, not abuse to throttle.
        env={**worker_env(), "OMP_NUM_THREADS": "1", "LND_THROTTLE_USER": "1000000/min"},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


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
    for connections in (1, 4, 16):
        for name, (url, headers) in targets.items():
            result = wrk(url, connections=connections, seconds=3, headers=headers)
            assert result.requests > 0, (name, connections)
            assert (result.errors, result.non_2xx) == (0, 0), (name, connections, result)
