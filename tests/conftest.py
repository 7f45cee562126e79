import pytest
from django.core.cache import cache

from lnd.celery import app as celery_app


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
