"""HTTP figures on the demo's data (300 agents, 78 weeks, trained, scored, risk-scored)
with gunicorn and wrk: the recommendations API and the team overview (a 50-agent team),
at 1, 4 and 16 connections, medians of BENCH_RUNS runs.

Prints api_recommendations_p95_ms and api_recommendations_rps (16 connections),
team_overview_p95_ms (16 connections), and the same at 1 and 4 with a _c1/_c4 suffix.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "5"))


def main() -> None:
    var = _django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    from lnd.loadtest import gunicorn_server, wrk
    from lnd.models import Employee, User
    from recommender.simulation import simulate

    quiet = open(os.devnull, "w")  # noqa: SIM115 - lives for the whole run
    simulate(var / "demo", n_agents=300, weeks=78, seed=7)  # what `make demo` builds
    call_command("import_data", str(var / "demo"), stdout=quiet, stderr=quiet)
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-1")
    call_command("create_demo_users", stdout=quiet)
    lead = User.objects.get(username="lead")
    team = lead.employee.teams_led.first()
    movers = Employee.objects.filter(status="active").exclude(team=team)[
        : max(0, 50 - team.members.filter(status="active").count())]
    Employee.objects.filter(pk__in=[m.pk for m in movers]).update(team=team)
    call_command("train", stdout=quiet)
    call_command("recommend", "--all", stdout=quiet)
    call_command("score_risk", stdout=quiet)  # the team page shows risk and its drivers

    agent = User.objects.get(username="agent")
    token = Token.objects.get_or_create(user=agent)[0].key
    session = SessionStore()
    session.update({"_auth_user_id": str(lead.pk), "_auth_user_hash":
                    lead.get_session_auth_hash(), "_auth_user_backend":
                    "django.contrib.auth.backends.ModelBackend"})
    session.save()
    # One user is the load generator here; the per-user throttle would only measure itself.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "LND_THROTTLE_USER": "1000000/min"}
    with gunicorn_server(env=env, workers=2 * os.cpu_count() + 1) as base:
        targets = {
            "api_recommendations": (
                base + f"/api/agents/{agent.employee.employee_id}/recommendations/",
                {"Authorization": f"Token {token}"}),
            "team_overview": (base + reverse("team_overview"),
                              {"Cookie": f"sessionid={session.session_key}"}),
        }
        for name, (url, headers) in targets.items():
            for connections in (1, 4, 16):
                runs = [wrk(url, connections=connections, seconds=SECONDS, threads=2,
                            headers=headers) for _ in range(RUNS)]
                errors = sum(r.errors + r.non_2xx for r in runs)
                suffix = "" if connections == 16 else f"_c{connections}"
                _django.figure(f"{name}_p95_ms{suffix}",
                               statistics.median(r.p95_ms for r in runs), "ms")
                _django.figure(f"{name}_rps{suffix}",
                               statistics.median(r.rps for r in runs), "req/s")
                _django.figure(f"{name}_errors{suffix}", errors, "errors")


if __name__ == "__main__":
    main()
