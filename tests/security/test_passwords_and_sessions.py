import importlib

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_argon2_is_the_first_hasher_in_the_project_settings():
    project = importlib.import_module("lnd.settings")  # conftest swaps in MD5 for speed
    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("correct horse")
    assert encoded.startswith("argon2$")
    assert check_password("correct horse", encoded)


def test_the_session_is_rotated_at_login():
    user = f.user("agent", employee=f.employee())
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["before_login"] = True  # an anonymous session that an attacker might have fixed
    session.save()
    fixed = session.session_key
    response = client.post("/accounts/login/",
                           {"username": user.username, "password": "pw-test-1"})
    assert response.status_code == 302
    assert client.session.session_key != fixed
    assert not Session.objects.filter(session_key=fixed).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_test_clients_login_and_force_login_still_work():
    user = f.user("agent", employee=f.employee())
    assert Client().login(username=user.username, password="pw-test-1")
    client = Client()
    client.force_login(user)
    assert client.session["_auth_user_id"] == str(user.pk)
