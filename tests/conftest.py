import pytest
from django.core.cache import cache

from lnd.celery import app as celery_app
from recommender.simulation import simulate


@pytest.fixture(autouse=True)
def _fast_and_inline(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Outside the services lane, a queued task runs inline in the test process.
    is_real_worker = request.node.get_closest_marker("services") or \
        request.node.get_closest_marker("worker")
    celery_app.conf.task_always_eager = not is_real_worker
    celery_app.conf.task_eager_propagates = True
    # Row ids are reused after a rolled-back test: a cached body must not outlive it.
    cache.clear()
    yield


@pytest.fixture(scope="session")
def simulated_centre(tmp_path_factory):
    """simulated_centre(n_agents, weeks, seed) -> a folder in the data contract, written
    once per session for each size and seed. Treat it as read-only: modules share it."""
    made = {}

    def centre(n_agents: int, weeks: int, seed: int):
        key = (n_agents, weeks, seed)
        if key not in made:
            folder = tmp_path_factory.mktemp(f"centre-{n_agents}x{weeks}-s{seed}") / "data"
            simulate(folder, n_agents=n_agents, weeks=weeks, seed=seed)
            made[key] = folder
        return made[key]
    return centre
