import pytest
from django.http import Http404

from lnd.models import User
from lnd.selectors.scope import employee_for, employees_visible_to
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams():
    team_a, lead_a, agents_a = f.team_with_lead_and_agents(2)
    team_b, lead_b, agents_b = f.team_with_lead_and_agents(2)
    return lead_a, agents_a, lead_b, agents_b


def test_an_agent_sees_only_themself(two_teams):
    _, agents_a, _, _ = two_teams
    me = f.user(User.Role.AGENT, employee=agents_a[0])
    assert list(employees_visible_to(me)) == [agents_a[0]]


def test_a_lead_sees_only_their_team(two_teams):
    lead_a, agents_a, _, agents_b = two_teams
    lead = f.user(User.Role.TEAM_LEAD, employee=lead_a)
    visible = set(employees_visible_to(lead))
    assert set(agents_a) <= visible
    assert not visible & set(agents_b)


def test_another_teams_agent_is_a_404_for_a_lead(two_teams):
    lead_a, _, _, agents_b = two_teams
    lead = f.user(User.Role.TEAM_LEAD, employee=lead_a)
    with pytest.raises(Http404):
        employee_for(lead, agents_b[0].employee_id)


@pytest.mark.parametrize("role", [User.Role.LD_SPECIALIST, User.Role.ADMIN])
def test_ld_and_admin_see_everyone(two_teams, role):
    everyone = f.user(role)
    assert employees_visible_to(everyone).count() == 6


def test_integration_clients_and_unlinked_users_see_no_one(two_teams):
    assert employees_visible_to(f.user(User.Role.INTEGRATION)).count() == 0
