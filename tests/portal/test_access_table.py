"""Runs tests/access/portal_table.py: every portal page and partial, for every role."""

import pytest
from django.urls import reverse

from tests.access.portal_table import PORTAL_POST, PORTAL_ROWS
from tests.access.world import ROLES, build_world

pytestmark = pytest.mark.django_db

CASES = [(name, factory, role, expect[role]) for name, factory, expect in PORTAL_ROWS
         for role in ROLES]


@pytest.mark.parametrize(("name", "factory", "role", "status"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_portal_route_gives_each_role_the_expected_status(client, name, factory, role, status):
    world = build_world()
    url = reverse(name, kwargs=factory(world) if factory else None)
    if role != "anon":
        client.force_login(world.users[role])
    if name in PORTAL_POST:
        response = client.post(url, PORTAL_POST[name](world))
    else:
        response = client.get(url)
    assert response.status_code == status, response.content[:300]


def test_every_row_names_every_role():
    assert all(set(expect) == set(ROLES) for _, _, expect in PORTAL_ROWS)
