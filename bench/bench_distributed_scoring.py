"""One scoring run shared by one, then two, worker processes on PostgreSQL + Redis.

Prints score_1_worker_s, score_2_workers_s and score_two_workers_speedup (medians).
Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis); prints a note and exits 0
on the embedded set-up, where one SQLite writer makes the comparison meaningless.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("# bench_distributed_scoring: set DATABASE_URL and CELERY_BROKER_URL to run")
        return
    var = _django.setup()
    _django.flush()
    from django.core.management import call_command

    from lnd.celery import app
    from lnd.models import Job
    from lnd.services import ml_jobs
    from lnd.services.jobs import job_create
    from recommender.simulation import simulate

    quiet = open(os.devnull, "w")  # noqa: SIM115 - lives for the whole run
    centre = var / "centre"
    simulate(centre, n_agents=3000, weeks=40, seed=4)
    call_command("import_data", str(centre), stdout=quiet, stderr=quiet)
    version = ml_jobs.gain_model_train()
    if version.status != "active":
        from lnd.services import registry

        registry.model_activate(version=version, decision="benchmark")
    env = {**os.environ, "LND_SCORING_CHUNK_AGENTS": "150", "OMP_NUM_THREADS": "1"}
    for workers in (1, 2):
        procs = [_worker(env, var / f"w{workers}-{n}.log") for n in range(workers)]
        times = []
        try:
            for _ in range(RUNS):
                app.control.purge()
                start = time.perf_counter()
                job = job_create(kind=Job.Kind.RECOMMEND)
                while not (job := Job.objects.get(pk=job.pk)).is_finished:
                    time.sleep(0.1)
                assert job.state == "succeeded", job.error
                times.append(time.perf_counter() - start)
        finally:
            for p in procs:
                p.terminate()
                p.wait()
        times.sort()
        _django.figure(f"score_{workers}_worker{'s' if workers > 1 else ''}_s",
                       times[len(times) // 2], "s")
        if workers == 1:
            one = times[len(times) // 2]
    _django.figure("score_two_workers_speedup", one / times[len(times) // 2], "ratio")


def _worker(env: dict, log: Path):
    from lnd.loadtest import die_with_parent

    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lnd", "worker", "--concurrency", "1",
         "--loglevel", "INFO",
         "--without-mingle", "--without-gossip", "-n", f"bench{time.monotonic_ns()}@%h"],
        cwd=_django.ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent)
    while "ready." not in log.read_text():
        time.sleep(0.2)
    return proc


if __name__ == "__main__":
    main()
