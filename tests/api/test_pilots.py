"""Randomised pilots. First the one service both the API and the portal call
(lnd.services.pilots): who is eligible, starting one, its power, and the result (due date,
cache, suppression, uptake), each tested once here. Then the API's thin layer over it;
the portal's is tests/portal/test_pilots.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lnd.models import (
    Assignment,
    Completion,
    Employee,
    LearningItem,
    Metric,
    Pilot,
    PilotMember,
    ReportCache,
    WeeklyPerformance,
)
from lnd.services import pilots, retention
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def big_team(world):
    team, lead, agents = f.team_with_lead_and_agents(12)
    return team, lead, agents


def create(world, **kw) -> Pilot:
    kw = {"by_user": world.users["ld"], "name": "Listening pilot", "item": world.item2, **kw}
    return pilots.pilot_create(**kw)


def treated_ids(pilot: Pilot) -> set[int]:
    return set(pilot.members.filter(treated=True).values_list("employee_id", flat=True))


def make_pilot(world, treated, control, *, start=date(2025, 3, 17), **fields) -> Pilot:
    pilot = Pilot.objects.create(name="Trial", item=world.item3, seed=1, start_date=start,
                                 **fields)
    PilotMember.objects.bulk_create(
        [PilotMember(pilot=pilot, employee=e, treated=True) for e in treated]
        + [PilotMember(pilot=pilot, employee=e, treated=False) for e in control])
    return pilot


def import_through(week: date, employee: Employee) -> None:
    """Performance imported up to `week` (a Monday)."""
    WeeklyPerformance.objects.create(employee=employee, period_start=week,
                                     metric=Metric.objects.first(), value=1.0)


def analysed(n_treated: int, n_control: int) -> dict:
    return {"item_code": "close", "start_date": "2025-03-17", "outcome": "composite",
            "n_treated_assigned": 10, "n_control_assigned": 10, "n_treated": n_treated,
            "n_control": n_control, "difference": 0.21, "ci_low": 0.05, "ci_high": 0.37,
            "p_value": 0.01, "treated_mean_change": 0.3, "control_mean_change": 0.09,
            "power": {"mde_80": 0.2}}


# -- the service: starting a pilot -----------------------------------------------------

def test_a_pilot_assigns_the_item_to_a_random_half_of_the_eligible_agents(world, big_team):
    team, lead, agents = big_team
    start = TODAY() + timedelta(days=3)
    pilot = create(world, teams=[team.code], seed=3, start_date=start, due_days=14)
    assert pilot.seed == 3 and pilot.due_date == start + timedelta(days=14)
    members = set(pilot.members.values_list("employee_id", flat=True))
    assert members == {a.pk for a in agents}  # the lead is not in it
    assert len(treated_ids(pilot)) == 6
    assigned = Assignment.objects.filter(item=world.item2, campaign=True,
                                         assigned_by="campaign")
    assert set(assigned.values_list("employee_id", flat=True)) == treated_ids(pilot)
    assert set(assigned.values_list("assigned_by_user", flat=True)) == {world.users["ld"].pk}


def test_the_criteria_are_kept_as_given_and_readably(world, big_team):
    team = big_team[0]
    pilot = create(world, teams=[team.code], work_arrangement="remote",
                   employment_type="full_time", hired_within_months=120)
    criteria = pilot.criteria
    assert {k: criteria[k] for k in pilots.LABELS} == {
        "teams": [team.code], "sites": [], "roles": [], "work_arrangement": "remote",
        "employment_type": "full_time", "hired_within_months": 120}
    assert criteria["eligible"] == 12
    assert criteria["filters"] == {"Teams": team.name, "Work arrangement": "Remote",
                                   "Employment type": "Full time",
                                   "Hired within (months)": "120"}


def test_the_same_seed_and_group_give_the_same_split(world, big_team):
    team = big_team[0]
    first = create(world, teams=[team.code], seed=11)
    first.status = Pilot.Status.CLOSED  # a running pilot's members would not be eligible
    first.save()
    second = create(world, item=world.item3, teams=[team.code], seed=11)
    assert treated_ids(first) == treated_ids(second) and len(treated_ids(first)) == 6


def test_without_a_seed_a_random_one_is_kept(world, big_team):
    pilot = create(world, teams=[big_team[0].code])
    pilot.refresh_from_db()
    assert isinstance(pilot.seed, int) and 0 <= pilot.seed < 2**31


def test_without_performance_history_the_power_says_why_it_is_missing(world, big_team):
    WeeklyPerformance.objects.all().delete()
    power = create(world, teams=[big_team[0].code]).criteria["power"]
    assert power["mde_80"] is None and "no performance history" in power["note"]


@pytest.mark.slow
def test_power_is_stated_up_front_by_the_documented_formula(simulated_centre):
    import io

    from django.core.management import call_command

    call_command("import_data", str(simulated_centre(80, 40, 5)), stdout=io.StringIO(),
                 stderr=io.StringIO())
    ld = f.user("ld_specialist")
    item = LearningItem.objects.filter(active=True, mandatory=False).first()
    pilot = pilots.pilot_create(by_user=ld, name="Real", item=item, seed=2)
    power = pilot.criteria["power"]
    n_t, n_c = power["n_treated"], power["n_control"]
    assert n_t + n_c == pilot.members.count() >= 10 and n_t == len(treated_ids(pilot))
    assert power["outcome_sd"] > 0 and power["mde_80"] > 0
    # the pilot starts after the data: the SD comes from the weeks before the data end
    latest = WeeklyPerformance.objects.latest("period_start").period_start
    assert power["computed_from_weeks_before"] == (latest + timedelta(days=7)).isoformat()
    # the documented formula: (z.975 + z.8) · SD · √(1/n_t + 1/n_c)
    assert power["mde_80"] == pytest.approx(
        2.8016 * power["outcome_sd"] * (1 / n_t + 1 / n_c) ** 0.5, rel=1e-3)


@pytest.mark.parametrize(("kw", "field"), [
    ({"teams": ["no-such-team"]}, "teams"),
    ({"sites": ["Nowhere"]}, "sites"),
    ({"roles": ["no-such-role"]}, "roles"),
    ({"work_arrangement": "on-the-moon"}, "work_arrangement"),
    ({"employment_type": "volunteer"}, "employment_type"),
    ({"hired_within_months": 121}, "hired_within_months"),
    ({"due_days": 0}, "due_days"),
    ({"due_days": 367}, "due_days"),
    ({"start_date": TODAY() - timedelta(days=1)}, "start_date"),  # earlier weeks would count
    ({"start_date": TODAY() + timedelta(days=367)}, "start_date"),
])
def test_bad_criteria_are_field_errors_and_start_nothing(world, big_team, kw, field):
    with pytest.raises(ValidationError) as exc:
        create(world, **{"teams": [big_team[0].code], **kw})
    assert set(exc.value.message_dict) == {field}
    assert not Pilot.objects.exists() and not Assignment.objects.filter(campaign=True).exists()


def test_a_pilot_may_start_today_or_within_a_year(world, big_team):
    create(world, teams=[big_team[0].code], start_date=TODAY())
    Pilot.objects.update(status=Pilot.Status.CLOSED)
    far = create(world, item=world.item3, teams=[big_team[0].code],
                 start_date=TODAY() + timedelta(days=366))
    assert far.start_date == TODAY() + timedelta(days=366)


@pytest.mark.parametrize("fields", [{"active": False}, {"mandatory": True}])
def test_an_inactive_or_mandatory_item_cannot_be_piloted(world, big_team, fields):
    with pytest.raises(ValidationError) as exc:
        create(world, item=f.item(**fields), teams=[big_team[0].code])
    assert set(exc.value.message_dict) == {"item"}


def test_fewer_than_10_eligible_is_an_error_and_starts_nothing(world, big_team):
    team, _, agents = big_team
    Employee.objects.filter(pk__in=[a.pk for a in agents[:3]]).update(status="left")
    with pytest.raises(ValidationError) as exc:
        create(world, teams=[team.code])
    assert exc.value.message_dict["non_field_errors"] == [
        "Only 9 agents match: a pilot needs at least 10 eligible agents to say anything."]
    assert not Pilot.objects.exists() and not Assignment.objects.filter(campaign=True).exists()


@pytest.mark.parametrize("role", ["agent", "lead", "integration"])
def test_only_ld_and_admin_start_pilots(world, big_team, role):
    with pytest.raises(PermissionDenied):
        create(world, by_user=world.users[role], teams=[big_team[0].code])
    assert not Pilot.objects.exists()


# -- the service: who is eligible ------------------------------------------------------

def test_eligibility_leaves_out_leavers_leads_the_teamless_those_done_or_assigned_and_piloted(
        world, big_team):
    team, lead, agents = big_team
    Employee.objects.filter(pk=agents[0].pk).update(status="left")
    Completion.objects.create(employee=agents[1], item=world.item2, completed_on="2025-01-06")
    Assignment.objects.create(employee=agents[2], item=world.item2, assigned_by="lead")
    make_pilot(world, [agents[3]], [agents[4]])  # running, another item
    closed = make_pilot(world, [agents[5]], [], status=Pilot.Status.CLOSED)
    teamless = f.employee()
    assert set(pilots.pilot_eligible(item=world.item2, teams=[team.code])) == set(agents[5:])
    everyone = set(pilots.pilot_eligible(item=world.item2))
    assert lead not in everyone and world.lead_a not in everyone and teamless not in everyone
    assert world.leaver not in everyone and world.a1 not in everyone  # a1 completed item2
    assert world.a2 in everyone and world.b1 in everyone and closed.members.count() == 1
    # a completed assignment is no open one
    Assignment.objects.filter(employee=agents[2]).update(status=Assignment.Status.COMPLETED)
    assert agents[2] in set(pilots.pilot_eligible(item=world.item2, teams=[team.code]))


def test_criteria_combine_team_site_role_arrangement_contract_and_tenure(world, big_team):
    team, _, agents = big_team
    team.site = world.site
    team.save()
    Employee.objects.filter(pk__in=[a.pk for a in agents[:4]]).update(role=world.role)
    Employee.objects.filter(pk__in=[a.pk for a in agents[1:4]]).update(
        work_arrangement="onsite")
    Employee.objects.filter(pk__in=[a.pk for a in agents[2:4]]).update(
        employment_type="part_time")
    Employee.objects.filter(pk=agents[3].pk).update(hire_date=date(2025, 2, 3))

    def eligible(**kw):
        return set(pilots.pilot_eligible(item=world.item2, sites=[world.site.name],
                                         roles=[world.role.code], **kw))

    assert eligible() == set(agents[:4])
    assert eligible(teams=[team.code, world.team_b.code]) == set(agents[:4])
    assert eligible(teams=[world.team_b.code]) == set()
    assert eligible(work_arrangement="onsite") == set(agents[1:4])
    assert eligible(work_arrangement="onsite", employment_type="part_time") == set(agents[2:4])
    assert eligible(hired_within_months=3, today=date(2025, 3, 31)) == {agents[3]}


# -- the service: the result -----------------------------------------------------------

def test_the_result_is_due_after_8_full_weeks_and_not_shown_before(world, monkeypatch):
    calls = []
    monkeypatch.setattr(retention, "pilot_analyse",
                        lambda **kw: calls.append(1) or analysed(6, 6))
    pilot = make_pilot(world, [world.a1], [world.a2], start=date(2025, 1, 8))  # a Wednesday
    WeeklyPerformance.objects.all().delete()
    import_through(date(2025, 2, 17), world.a1)  # the 7th week from the start week
    report = pilots.pilot_report(pilot=pilot)
    assert report["due"] == date(2025, 3, 3) and report["last_week"] == date(2025, 2, 24)
    assert report["ready"] is False and report["result"] is None and calls == []
    assert report["latest_week"] == date(2025, 2, 17)
    import_through(date(2025, 2, 24), world.a1)  # the 8th
    report = pilots.pilot_report(pilot=pilot)
    assert report["ready"] is True and report["result"]["difference"] == 0.21


def test_the_result_is_computed_once_per_data_version(world, monkeypatch):
    calls = []

    def analyse(*, pilot, as_of=None, start_date=None):
        calls.append(pilot.pk)
        return analysed(6, 6)

    monkeypatch.setattr(retention, "pilot_analyse", analyse)
    pilot = make_pilot(world, [world.a1], [world.a2], start=date(2025, 1, 6),
                       criteria={"power": {"mde_80": 0.3}})
    for _ in range(2):
        report = pilots.pilot_report(pilot=pilot)
        assert report["ready"] is True and report["power"] == {"mde_80": 0.3}
        assert report["result"]["difference"] == 0.21
        assert report["result"]["suppressed"] is False
    assert calls == [pilot.pk]
    import_through(date(2025, 3, 31), world.a1)  # new data: a new version
    pilots.pilot_report(pilot=pilot)
    assert calls == [pilot.pk, pilot.pk]
    assert ReportCache.objects.filter(kind=f"pilot-{pilot.pk}").count() == 2


@pytest.mark.parametrize(("n_treated", "n_control", "suppressed"),
                         [(5, 5, False), (4, 9, True), (9, 4, True), (0, 0, True)])
def test_an_arm_under_5_agents_with_data_shows_and_stores_no_numbers(
        world, monkeypatch, n_treated, n_control, suppressed):
    monkeypatch.setattr(retention, "pilot_analyse",
                        lambda **kw: analysed(n_treated, n_control))
    pilot = make_pilot(world, [world.a1], [world.a2], start=date(2025, 1, 6))
    result = pilots.pilot_report(pilot=pilot)["result"]
    assert result["suppressed"] is suppressed
    numbers = {"difference", "ci_low", "ci_high", "p_value", "power", "n_treated",
               "n_control", "treated_mean_change", "control_mean_change"}
    assert bool(numbers & set(result)) is not suppressed
    if suppressed:
        assert result == {"item_code": "close", "start_date": "2025-03-17",
                          "outcome": "composite", "n_treated_assigned": 10,
                          "n_control_assigned": 10, "suppressed": True}
        stored = ReportCache.objects.get(kind=f"pilot-{pilot.pk}").payload
        assert not numbers & set(stored)


def test_arm_sizes_count_uptake_since_the_start(world):
    pilot = make_pilot(world, [world.a1, world.a2], [world.b1], start=date(2025, 3, 17))
    Completion.objects.create(employee=world.a2, item=world.item3, completed_on="2025-03-20")
    Completion.objects.create(employee=world.b1, item=world.item3, completed_on="2025-03-21")
    Completion.objects.create(employee=world.a1, item=world.item3, completed_on="2025-03-10")
    assert pilots.pilot_report(pilot=pilot)["arms"] == {
        "treated": 2, "control": 1, "treated_completed": 1, "control_completed": 1}


# -- the API over it -------------------------------------------------------------------

def post(world, **body):
    body = {"name": "Listening pilot", "item": world.item2.code, **body}
    return client_for(world.users["ld"]).post("/api/pilots/", body, format="json")


def test_post_starts_a_pilot_and_answers_201_with_its_location(world, big_team):
    team = big_team[0]
    response = post(world, teams=[team.code], work_arrangement="remote", seed=3,
                    due_days=14)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/pilots/{body['id']}/"
    assert (body["treated"], body["control"]) == (6, 6) and body["seed"] == 3
    assert body["start_date"] == TODAY().isoformat()
    assert body["criteria"]["teams"] == [team.code]
    assert body["criteria"]["filters"]["Work arrangement"] == "Remote"
    assert "power" in body["criteria"]


@pytest.mark.parametrize(("body", "field"), [
    ({"teams": ["no-such-team"]}, "teams"),  # the service's rule
    ({"start_date": "2020-01-06"}, "start_date"),  # the service's rule
    ({"work_arrangement": "moon"}, "work_arrangement"),
    ({"item": "no-such-item"}, "item"),
    ({"name": ""}, "name"),
    ({"due_days": 0}, "due_days"),
    ({"seed": -1}, "seed"),
    ({"teams": "not a list"}, "teams"),
    ({"start_date": "soon"}, "start_date"),
    ({"hired_within_months": "a while"}, "hired_within_months"),
])
def test_bad_input_is_a_400_field_error_and_starts_nothing(world, big_team, body, field):
    response = post(world, **{"teams": [big_team[0].code], **body})
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Pilot.objects.exists()


def test_too_few_eligible_is_a_400_non_field_error(world):
    response = post(world, teams=[world.team_b.code])
    assert response.status_code == 400
    assert "at least 10" in response.json()["non_field_errors"][0]


def test_the_detail_reads_the_cached_result_and_never_shows_a_small_arm(world, monkeypatch):
    calls = []
    monkeypatch.setattr(retention, "pilot_analyse",
                        lambda **kw: calls.append(1) or analysed(4, 9))
    pilot = make_pilot(world, [world.a1], [world.a2], start=date(2025, 1, 6))
    client = client_for(world.users["ld"])
    for _ in range(2):
        response = client.get(f"/api/pilots/{pilot.pk}/")
        assert response.status_code == 200
        report = response.json()["report"]
        assert report["ready"] is True and report["due"] == "2025-03-03"
        assert report["min_group_size"] == 5
        assert report["arms"] == {"treated": 1, "control": 1, "treated_completed": 0,
                                  "control_completed": 0}
        assert report["result"]["suppressed"] is True
        assert "difference" not in report["result"]
    assert calls == [1]  # the second request read the cache


def test_the_detail_before_the_result_is_due_has_no_result(world, monkeypatch):
    monkeypatch.setattr(retention, "pilot_analyse", lambda **kw: pytest.fail("analysed"))
    pilot = make_pilot(world, [world.a1], [world.a2], criteria={"power": {"mde_80": 0.3}})
    report = client_for(world.users["ld"]).get(f"/api/pilots/{pilot.pk}/").json()["report"]
    assert report["ready"] is False and report["result"] is None
    assert report["due"] == "2025-05-12" and report["latest_week"] == "2025-03-24"
    assert report["power"] == {"mde_80": 0.3}


def test_the_list_does_not_query_per_pilot(world):
    client = client_for(world.users["ld"])
    make_pilot(world, [world.a1], [world.a2])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/pilots/").json()
        assert "report" not in body["results"][0]
        return len(queries)

    count()
    small = count()
    for _ in range(3):
        make_pilot(world, [world.a1, world.b1], [world.a2])
    assert count() == small
