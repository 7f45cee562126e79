"""The reads behind the development page: next step on the goal path, readiness."""

from datetime import date

import pytest

from lnd.models import CareerPath, CareerPathStep, Role, RoleRequirement, Skill, SkillAssessment
from lnd.selectors import portal_agent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    roles = [Role.objects.create(code=c, name=c.title(), family="frontline", level=n)
             for n, c in enumerate(["agent", "senior", "expert"], start=1)]
    path = CareerPath.objects.create(code="up", name="Up")
    for n, role in enumerate(roles, start=1):
        CareerPathStep.objects.create(path=path, step=n, role=role)
    empathy = Skill.objects.create(code="empathy", name="Empathy")
    data = Skill.objects.create(code="data", name="Data")
    RoleRequirement.objects.create(role=roles[0], skill=empathy, min_level=2)
    RoleRequirement.objects.create(role=roles[1], skill=empathy, min_level=3)
    RoleRequirement.objects.create(role=roles[1], skill=data, min_level=2)
    return roles, empathy, data


def test_the_next_step_is_the_one_after_the_current_role_towards_the_goal(ladder):
    roles, _, _ = ladder
    e = f.employee(role=roles[0], goal_role=roles[2])
    assert portal_agent.next_role_for(e) == roles[1]


def test_with_no_path_between_them_the_next_step_is_the_goal_itself(ladder):
    roles, _, _ = ladder
    outside = Role.objects.create(code="loyalty", name="Loyalty", family="outside_cc")
    e = f.employee(role=roles[0], goal_role=outside)
    assert portal_agent.next_role_for(e) == outside
    assert portal_agent.next_role_for(f.employee(role=roles[0])) is None


def test_readiness_counts_met_requirements_using_the_latest_assessment(ladder):
    roles, empathy, data = ladder
    e = f.employee(role=roles[0], goal_role=roles[1])
    SkillAssessment.objects.create(employee=e, skill=empathy, assessed_at=date(2025, 1, 1),
                                   level=2, source="qa")
    SkillAssessment.objects.create(employee=e, skill=empathy, assessed_at=date(2025, 3, 1),
                                   level=3, source="lead")
    profile = portal_agent.profile_for(e)
    assert profile.readiness == 50  # empathy 3 ≥ 3 met; data not assessed
    assert [(r.skill, r.missing_for_next) for r in profile.missing] == [(data, 2)]
    row = next(r for r in profile.rows if r.skill == empathy)
    assert (row.level, row.current_min, row.next_min) == (3, 2, 3)


def test_without_a_goal_there_is_no_readiness(ladder):
    roles, _, _ = ladder
    assert portal_agent.profile_for(f.employee(role=roles[0])).readiness is None
