import pytest
from django.core.management import call_command

from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3")
    assert "/api/agents/{employee_id}/recommendations/" in text


def test_the_schema_and_docs_need_a_login_and_are_served_without_a_cdn():
    world = build_world()
    assert client_for().get("/api/schema/").status_code == 401
    client = client_for(world.users["ld"])
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in html.lower() and "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
