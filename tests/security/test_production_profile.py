"""The production profile (LND_PRODUCTION=true) in a fresh process, as it would be run."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HEADERS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
r = Client().get("/accounts/login/", secure=True, HTTP_HOST="lnd.example.com")
plain = Client().get("/accounts/login/", HTTP_HOST="lnd.example.com")
print(json.dumps({
    "status": r.status_code, "headers": dict(r.headers),
    "csrf_cookie_secure": bool(r.cookies["csrftoken"]["secure"]),
    "plain_status": plain.status_code, "plain_location": plain.headers.get("Location"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "hashers": settings.PASSWORD_HASHERS,
}))
"""


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}}
    env.update(LND_PRODUCTION="true", SECRET_KEY=secrets.token_urlsafe(60),
               ALLOWED_HOSTS="lnd.example.com", LND_VAR_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="lnd.settings", PYTHONPATH=str(ROOT))
    return env


def test_check_deploy_passes_at_warning_level(production_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env=production_env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_responses_carry_the_security_headers(production_env):
    result = subprocess.run([sys.executable, "-c", HEADERS_SCRIPT], cwd=ROOT,
                            env=production_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    headers = seen["headers"]
    assert seen["status"] == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert seen["csrf_cookie_secure"] and seen["session_cookie_secure"]
    assert seen["session_cookie_httponly"]
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert seen["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
