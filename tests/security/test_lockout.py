"""django-axes locks one account from one address, for a cool-off period only."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db
HERE, THERE = "10.0.0.1", "10.0.0.2"


@pytest.fixture
def victim():
    return f.user("agent", employee=f.employee())


def login(user, password: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": user.username, "password": password})
    return response.status_code


def lock_out(user, address: str = HERE) -> None:
    statuses = [login(user, "wrong", address) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[:-1] == [200] * (len(statuses) - 1)  # the form again, with an error
    assert statuses[-1] == 429  # the failure that reaches the limit locks


def test_repeated_failures_lock_that_account_from_that_address(victim):
    lock_out(victim)
    assert login(victim, "pw-test-1", HERE) == 429


def test_the_same_account_from_another_address_is_not_locked(victim):
    lock_out(victim)
    assert login(victim, "pw-test-1", THERE) == 302


def test_another_account_from_the_same_address_is_not_locked(victim):
    colleague = f.user("agent", employee=f.employee())
    lock_out(victim)
    assert login(colleague, "pw-test-1", HERE) == 302


def test_the_lock_ends_after_the_cool_off(victim):
    lock_out(victim)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert login(victim, "pw-test-1", HERE) == 302


def test_failures_during_the_lock_do_not_extend_it():
    from lnd import settings as project
    assert project.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert project.AXES_COOLOFF_TIME and project.AXES_LOCKOUT_PARAMETERS == [
        ["username", "ip_address"]]


def test_the_token_endpoint_is_locked_too(victim):
    client = APIClient(REMOTE_ADDR=HERE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"username": victim.username, "password": "no"},
                    format="json")
    response = client.post("/api/auth/token/",
                           {"username": victim.username, "password": "pw-test-1"},
                           format="json")
    # Django's authenticate() turns the backend's refusal into "unable to log in".
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()
    elsewhere = APIClient(REMOTE_ADDR=THERE).post(
        "/api/auth/token/", {"username": victim.username, "password": "pw-test-1"},
        format="json")
    assert "token" in elsewhere.json()
