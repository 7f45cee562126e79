import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles_and_uploads(settings, tmp_path):
    cache.clear()  # throttle counters live in the cache
    settings.LND_UPLOAD_DIR = tmp_path / "uploads"
