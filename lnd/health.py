"""GET /health/: is this process able to serve? Checks the database, the broker and the
active models (present and their artifacts intact). 200 when all pass, 503 otherwise."""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lnd.celery import app as celery_app
from lnd.models import ModelVersion


def _database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, connection.vendor


def _broker() -> tuple[bool, str]:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return True, conn.transport.driver_type


def _models() -> tuple[bool, str]:
    active = list(ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE))
    missing = [f"{v.kind} v{v.pk}" for v in active if not Path(v.artifact_path).is_file()]
    if missing:
        return False, "artifact missing for " + ", ".join(missing)
    if not active:
        return True, "no active model (recommendations use the skill-gap rule)"
    return True, ", ".join(f"{v.kind} v{v.pk}" for v in active)


CHECKS = {"database": _database, "broker": _broker, "models": _models}


@never_cache
@require_GET
def health(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a failing dependency is the answer, not an error
            ok, detail = False, f"{exc.__class__.__name__}: {exc}"
        results[name] = {"ok": ok, "detail": detail}
        healthy &= ok
    return JsonResponse({"ok": healthy, "checks": results}, status=200 if healthy else 503)
