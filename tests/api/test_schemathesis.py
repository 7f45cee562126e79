"""Schemathesis against the running API, once per role (token auth), the roles in
parallel: no 5xx anywhere, and no operation that requires authentication answers 2xx
without it (the ignored_auth check resends each authenticated request anonymously).

Bounded: a few examples per operation, fuzzing phase only, a fixed seed, a time limit."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.access.world import build_world

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROLES = ("agent", "lead", "ld", "admin", "integration")
MAX_EXAMPLES = 2
TIME_LIMIT_SECONDS = 170  # for all roles together


def schemathesis(schema: Path, base_url: str, token: str, cwd: Path) -> subprocess.Popen:
    cli = Path(sys.executable).with_name("schemathesis")
    return subprocess.Popen(
        [str(cli), "run", str(schema), "--url", base_url,
         "-H", f"Authorization: Token {token}",
         "--checks", "not_a_server_error,ignored_auth",
         "--phases", "fuzzing", "--max-examples", str(MAX_EXAMPLES),
         "--seed", "7", "--no-shrink", "--workers", "1", "--request-timeout", "20",
         "--generation-database", "none", "--warnings", "off"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_no_server_errors_and_no_ignored_auth_for_any_role(live_server, tmp_path, settings):
    settings.LND_UPLOAD_DIR = tmp_path / "uploads"
    world = build_world()
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(schema))
    runs = {role: schemathesis(schema, live_server.url,
                               Token.objects.create(user=world.users[role]).key, tmp_path)
            for role in ROLES}
    failed = {}
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    for role, proc in runs.items():
        try:
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            failed[role] = "timed out\n" + out[-3000:]
            continue
        if proc.returncode != 0:
            failed[role] = out[-5000:]
    assert not failed, "\n\n".join(f"=== {role}\n{out}" for role, out in failed.items())
