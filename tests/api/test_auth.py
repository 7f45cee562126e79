import pytest
from rest_framework.test import APIClient

from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_token_from_username_and_password_authenticates_the_api(world):
    user = world.users["lead"]
    response = APIClient().post("/api/auth/token/",
                                {"username": user.username, "password": "pw-test-1"},
                                format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me/").json()["role"] == "team_lead"


def test_a_wrong_password_gets_no_token_and_field_messages(world):
    response = APIClient().post("/api/auth/token/",
                                {"username": world.users["lead"].username, "password": "x"},
                                format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert "username" in APIClient().post("/api/auth/token/", {}, format="json").json()


def test_anonymous_calls_get_401_with_a_challenge(world):
    response = client_for().get("/api/agents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_session_post_without_the_csrf_token_is_refused(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["lead"])
    body = {"employee": world.a1.employee_id, "item": world.item3.code}
    response = client.post("/api/assignments/", body, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.post("/api/assignments/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201


def test_a_token_client_needs_no_csrf_token(world):
    client = client_for(world.users["lead"])
    client.enforce_csrf_checks = True
    body = {"employee": world.a1.employee_id, "item": world.item3.code}
    assert client.post("/api/assignments/", body, format="json").status_code == 201
