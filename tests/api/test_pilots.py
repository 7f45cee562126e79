"""Pilots through the API (L&D, admin): start one from eligibility criteria, list them,
read one with arm sizes and an analysis that never shows an arm under 5 agents."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lnd.models import Assignment, Completion, Employee, Pilot, PilotMember
from lnd.services import pilots
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def big_team(world):
    team, lead, agents = f.team_with_lead_and_agents(12)
    return team, lead, agents


def start(world, **body):
    body = {"name": "Listening pilot", "item": world.item2.code, **body}
    return client_for(world.users["ld"]).post("/api/pilots/", body, format="json")


def test_a_pilot_assigns_the_item_to_a_random_half_of_the_eligible_agents(world, big_team):
    team, lead, agents = big_team
    response = start(world, teams=[team.code], seed=3, start_date="2025-03-17", due_days=14)
    assert response.status_code == 201, response.content
    body = response.json()
    pilot = Pilot.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/pilots/{pilot.pk}/"
    assert (body["treated"], body["control"]) == (6, 6)
    assert body["criteria"] == {"teams": [team.code], "sites": [], "roles": [],
                                "eligible": 12}
    assert body["seed"] == 3 and body["due_date"] == "2025-03-31"
    members = set(pilot.members.values_list("employee_id", flat=True))
    assert members == {a.pk for a in agents}  # the lead is not in it
    treated = set(pilot.members.filter(treated=True).values_list("employee_id", flat=True))
    assigned = Assignment.objects.filter(item=world.item2, campaign=True)
    assert set(assigned.values_list("employee_id", flat=True)) == treated
    assert set(assigned.values_list("assigned_by_user", flat=True)) == {world.users["ld"].pk}


def test_the_same_seed_and_group_give_the_same_split(world, big_team):
    team = big_team[0]
    first = Pilot.objects.get(pk=start(world, teams=[team.code], seed=11).json()["id"])
    second = Pilot.objects.get(pk=start(world, item=world.item3.code, teams=[team.code],
                                        seed=11).json()["id"])

    def treated(p):
        return set(p.members.filter(treated=True).values_list("employee_id", flat=True))

    assert treated(first) == treated(second)


def test_without_a_seed_a_random_one_is_kept(world, big_team):
    body = start(world, teams=[big_team[0].code]).json()
    assert isinstance(body["seed"], int)
    assert Pilot.objects.get(pk=body["id"]).seed == body["seed"]


def test_eligibility_leaves_out_leavers_and_whoever_has_or_had_the_item(world, big_team):
    team, _, agents = big_team
    Employee.objects.filter(pk=agents[0].pk).update(status="left")
    Completion.objects.create(employee=agents[1], item=world.item2, completed_on="2025-01-06")
    Assignment.objects.create(employee=agents[2], item=world.item2, assigned_by="lead")
    eligible = pilots.pilot_eligible(item=world.item2, teams=[team.code])
    assert set(eligible) == set(agents[3:])
    before = Pilot.objects.count(), Assignment.objects.count()
    response = start(world, teams=[team.code])  # 9 left: too few
    assert response.status_code == 400
    assert "at least 10" in response.json()["non_field_errors"][0]
    assert (Pilot.objects.count(), Assignment.objects.count()) == before


def test_criteria_combine_team_site_and_role(world, big_team):
    team, _, agents = big_team
    team.site = world.site
    team.save()
    Employee.objects.filter(pk__in=[a.pk for a in agents[:2]]).update(role=world.role)
    assert set(pilots.pilot_eligible(item=world.item2, sites=[world.site.name],
                                     roles=[world.role.code])) == set(agents[:2])
    everyone = pilots.pilot_eligible(item=world.item2)
    assert world.lead_a not in everyone and world.leaver not in everyone
    assert world.a2 in everyone and world.b1 in everyone
    assert world.a1 not in everyone  # completed item2 already (world)


@pytest.mark.parametrize(("body", "field"), [
    ({"teams": ["no-such-team"]}, "teams"),
    ({"sites": ["Nowhere"]}, "sites"),
    ({"roles": ["no-such-role"]}, "roles"),
    ({"item": "no-such-item"}, "item"),
    ({"name": ""}, "name"),
    ({"due_days": 0}, "due_days"),
    ({"seed": -1}, "seed"),
    ({"teams": "not a list"}, "teams"),
    ({"start_date": "soon"}, "start_date"),
    ({"start_date": "9999-12-31", "due_days": 366}, "start_date"),
])
def test_bad_input_is_a_field_error_and_starts_nothing(world, big_team, body, field):
    response = start(world, **{"teams": [big_team[0].code], **body})
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Pilot.objects.exists()


def test_an_inactive_item_cannot_be_piloted(world, big_team):
    old = f.item(active=False)
    response = start(world, item=old.code, teams=[big_team[0].code])
    assert response.status_code == 400 and "item" in response.json()


def make_pilot(world, treated, control) -> Pilot:
    pilot = Pilot.objects.create(name="Trial", item=world.item3, seed=1,
                                 start_date=date(2025, 3, 17))
    PilotMember.objects.bulk_create(
        [PilotMember(pilot=pilot, employee=e, treated=True) for e in treated]
        + [PilotMember(pilot=pilot, employee=e, treated=False) for e in control])
    return pilot


def test_a_pilot_with_fewer_than_5_agents_of_data_per_arm_shows_no_numbers(world):
    pilot = make_pilot(world, [world.a1], [world.a2])
    response = client_for(world.users["ld"]).get(f"/api/pilots/{pilot.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["treated"], body["control"]) == (1, 1)
    analysis = body["analysis"]
    assert analysis["suppressed"] is True and analysis["min_group_size"] == 5
    assert not {"difference", "ci_low", "ci_high", "p_value", "power", "n_treated",
                "treated_mean_change"} & set(analysis)


@pytest.mark.parametrize(("n_treated", "n_control", "suppressed"),
                         [(5, 5, False), (4, 9, True), (9, 4, True)])
def test_suppression_is_applied_at_5_agents_per_arm(world, monkeypatch, n_treated, n_control,
                                                    suppressed):
    from lnd.services import retention

    analysed = {"item_code": "x", "start_date": "2025-03-17", "outcome": "composite",
                "n_treated_assigned": 10, "n_control_assigned": 10, "n_treated": n_treated,
                "n_control": n_control, "difference": 0.3, "ci_low": 0.1, "ci_high": 0.5,
                "p_value": 0.01, "power": {"mde_80": 0.2}}
    monkeypatch.setattr(retention, "pilot_analyse", lambda **kw: dict(analysed))
    result = pilots.pilot_results(pilot=make_pilot(world, [world.a1], [world.a2]))
    assert result["suppressed"] is suppressed
    assert ("difference" in result) is not suppressed
    assert ("p_value" in result) is not suppressed


def test_the_analysis_says_so_when_there_is_no_data(world):
    from lnd.models import WeeklyPerformance

    WeeklyPerformance.objects.all().delete()
    pilot = make_pilot(world, [world.a1], [world.a2])
    analysis = client_for(world.users["ld"]).get(f"/api/pilots/{pilot.pk}/").json()["analysis"]
    assert analysis["available"] is False and "No performance data" in analysis["note"]


def test_the_list_does_not_query_per_pilot(world):
    client = client_for(world.users["ld"])
    make_pilot(world, [world.a1], [world.a2])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/pilots/").json()
        assert "analysis" not in body["results"][0]
        return len(queries)

    count()
    small = count()
    for _ in range(3):
        make_pilot(world, [world.a1, world.b1], [world.a2])
    assert count() == small
