import uuid

import pytest

from lnd.models import Completion, XapiStatement
from tests.access.world import build_world, xapi_statement
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db
V = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def lms(world):
    return client_for(world.users["integration"])


def post(client, body, path="/api/xapi/statements", **headers):
    return client.post(path, body, format="json", **{**V, **headers})


def test_a_single_statement_is_stored_and_its_id_returned(world, lms):
    statement = xapi_statement(world.a1, world.item)
    response = post(lms, statement)
    assert response.status_code == 200, response.content
    assert response.json() == [statement["id"]]
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert XapiStatement.objects.filter(statement_id=statement["id"]).exists()
    assert Completion.objects.filter(employee=world.a1, item=world.item).exists()


def test_a_list_is_stored_with_and_without_the_trailing_slash(world, lms):
    batch = [xapi_statement(world.a1, world.item), xapi_statement(world.a2, world.item)]
    response = post(lms, batch, path="/api/xapi/statements/")
    assert response.status_code == 200
    assert response.json() == [s["id"] for s in batch]
    assert XapiStatement.objects.count() == 2


def test_sending_the_same_statements_again_changes_nothing(world, lms):
    batch = [xapi_statement(world.a1, world.item)]
    assert post(lms, batch).status_code == 200
    again = post(lms, batch)
    assert again.status_code == 200 and again.json() == [batch[0]["id"]]
    assert XapiStatement.objects.count() == 1
    assert Completion.objects.filter(employee=world.a1, item=world.item).count() == 1


def test_a_missing_version_header_is_a_400_and_stores_nothing(world, lms):
    response = lms.post("/api/xapi/statements", xapi_statement(world.a1, world.item),
                        format="json")
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()
    assert not XapiStatement.objects.exists()


def test_an_invalid_statement_rejects_the_whole_batch_with_messages(world, lms):
    bad = xapi_statement(world.a1, world.item)
    bad["actor"]["account"]["name"] = "nobody"
    response = post(lms, [xapi_statement(world.a1, world.item), bad])
    assert response.status_code == 400
    assert any("nobody" in m for m in response.json()["statements"])
    assert not XapiStatement.objects.exists()


@pytest.mark.parametrize("body", [[], "text", [1, 2]])
def test_a_body_that_is_not_statements_is_a_400(lms, body):
    assert post(lms, body).status_code == 400


@pytest.mark.parametrize("role", ["agent", "lead", "ld", "admin"])
def test_only_the_integration_client_may_post_statements(world, role):
    response = post(client_for(world.users[role]), xapi_statement(world.a1, world.item))
    assert response.status_code == 403
    assert post(client_for(), xapi_statement(world.a1, world.item)).status_code == 401
    assert not XapiStatement.objects.exists()


def test_the_integration_client_reads_nothing_else(world, lms):
    for path in ("/api/agents/", "/api/learning-items/", "/api/me/pulse/",
                 f"/api/agents/{world.a1.employee_id}/recommendations/"):
        assert lms.get(path).status_code == 403, path


def test_statement_ids_are_uuids(world, lms):
    statement = xapi_statement(world.a1, world.item)
    statement["id"] = str(uuid.uuid4()).upper()
    assert post(lms, statement).status_code == 200
