"""NUL characters are refused with a 400, never a server error (PostgreSQL rejects them
in any query parameter, so they must not reach a lookup)."""

import pytest
from rest_framework.test import APIClient

from lnd.models import LearningItem, User
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ld_client():
    client = APIClient()
    client.force_authenticate(f.user(User.Role.LD_SPECIALIST))
    return client


def test_a_null_character_in_a_referenced_code_is_a_field_error(ld_client):
    body = {"code": "c1", "title": "Course", "kind": "course", "duration_minutes": 30,
            "skills": ["empathy\x00"]}
    response = ld_client.post("/api/learning-items/", body, format="multipart")
    assert response.status_code == 400
    # Refused before any lookup (on SQLite a lookup would merely find nothing).
    assert "Null characters are not allowed." in str(response.json()["skills"])
    assert not LearningItem.objects.exists()


def test_a_null_character_in_the_url_path_or_query_is_a_400(ld_client):
    assert ld_client.get("/api/agents/a%00b/").status_code == 400
    assert ld_client.get("/api/agents/?search=a%00b").status_code == 400
    assert ld_client.get("/api/agents/").status_code == 200
