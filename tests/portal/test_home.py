import pytest
from django.urls import reverse

from lnd.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_with_labelled_fields(client):
    html = client.get(reverse("login")).content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html and 'lang="en"' in html


def test_agent_home_shows_their_own_page(client):
    _, _, agents = f.team_with_lead_and_agents(1)
    client.force_login(f.user(User.Role.AGENT, employee=agents[0]))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert agents[0].name in response.content.decode()


def test_lead_home_lists_only_their_team(client):
    _, lead, agents = f.team_with_lead_and_agents(2)
    _, _, others = f.team_with_lead_and_agents(2)
    client.force_login(f.user(User.Role.TEAM_LEAD, employee=lead))
    html = client.get(reverse("home")).content.decode()
    assert all(a.name in html for a in agents)
    assert not any(o.name in html for o in others)


def test_lead_home_query_count_does_not_grow_with_team_size(client, django_assert_max_num_queries):
    _, lead, _ = f.team_with_lead_and_agents(30)
    client.force_login(f.user(User.Role.TEAM_LEAD, employee=lead))
    # session, user, headline metric, members (role, site, last coaching joined), open
    # recommendation counts, overdue mandatory counts, risk scores, two access-log bulk
    # inserts (performance, risk), current risk run, coaching queue count, overdue follow-ups
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200
