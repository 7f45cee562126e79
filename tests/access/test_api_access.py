"""Every API endpoint, every kind of caller: the status in tests/access/api_table.py, and
a refused write (401/403/404) leaves every row of the domain unchanged."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from tests.access.api_table import API_ROWS, Row
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
SAFE = {"GET", "HEAD", "OPTIONS"}


def domain_snapshot() -> dict[str, list[dict]]:
    return {m._meta.label: list(m.objects.order_by("pk").values())
            for m in apps.get_app_config("lnd").get_models()}


def call(client: APIClient, row: Row, url: str, world):
    body = row.body(world) if row.body else None
    return client.generic(row.method, url, **_encode(client, body, row.format), **{
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in row.headers.items()})


def _encode(client: APIClient, body, fmt: str) -> dict:
    if body is None:
        return {}
    data, content_type = client._encode_data(body, format=fmt)
    return {"data": data, "content_type": content_type}


@pytest.mark.parametrize("row", API_ROWS, ids=lambda r: f"{r.method}-{r.name}")
def test_each_caller_gets_the_status_in_the_table(row: Row):
    world = build_world()
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong, changed = {}, []
    client = APIClient()  # one client: building its handler is the slow part
    for role, expected in row.expect.items():
        client.logout()
        if role != "anon":
            client.force_login(world.users[role])
        guard = row.method not in SAFE and expected >= 400
        with transaction.atomic():
            before = domain_snapshot() if guard else None
            response = call(client, row, url, world)
            if guard and domain_snapshot() != before:
                changed.append(role)
            transaction.set_rollback(True)
        if response.status_code != expected:
            wrong[role] = (expected, response.status_code,
                           response.content[:300].decode(errors="replace"))
    assert not wrong, f"{row.method} {url}: {wrong}"
    assert not changed, f"{row.method} {url} was refused but changed data for {changed}"
