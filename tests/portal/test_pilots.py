"""Starting a randomised pilot from the portal and reading it: who is eligible, field
errors, power stated at the start, and the result only once its 8 weeks are in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
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
from lnd.services import retention
from tests import factories as f
from tests.access.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    world.objects["big_team"] = f.team(code="BIG")
    world.objects["agents"] = [f.employee(team=world.big_team, work_arrangement="remote")
                               for _ in range(12)]
    return world


def _form(w, **changes) -> dict:
    data = {"name": "Empathy pilot", "item": w.item.pk, "team": w.big_team.pk,
            "start_date": timezone.localdate().isoformat(), "seed": "11"}
    return {**data, **changes}


def test_ld_starts_a_pilot_for_a_team_and_half_get_the_item(client, w):
    client.force_login(w.users["ld"])
    response = client.post(reverse("pilots"), _form(w))
    pilot = Pilot.objects.get(name="Empathy pilot")
    assert response.status_code == 302 and response["Location"] == reverse(
        "pilot_detail", kwargs={"pk": pilot.pk})
    members = PilotMember.objects.filter(pilot=pilot)
    assert members.count() == 12 and members.filter(treated=True).count() == 6
    assert {m.employee.team_id for m in members} == {w.big_team.pk}
    assigned = Assignment.objects.filter(item=w.item, campaign=True)
    assert set(assigned.values_list("employee", flat=True)) == set(
        members.filter(treated=True).values_list("employee", flat=True))
    assert pilot.seed == 11 and pilot.created_by == w.users["ld"]
    assert pilot.criteria["eligible"] == 12 and pilot.criteria["filters"]["Team"]
    assert "power" in pilot.criteria  # stated before any outcome exists


def test_the_pilot_page_states_power_and_waits_for_eight_weeks(client, w):
    client.force_login(w.users["ld"])
    client.post(reverse("pilots"), _form(w))
    pilot = Pilot.objects.get()
    pilot.criteria["power"] = {"mde_80": 0.2346, "outcome_sd": 0.41,
                               "computed_from_weeks_before": "2025-03-31"}
    pilot.save()
    html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
    assert "0.235" in html and "80% power" in html
    due = retention.pilot_result_due(pilot)
    assert "The result appears once performance data" in html
    assert due.strftime("%Y") in html and "6 assigned the item" in html


def test_missing_fields_and_a_past_start_give_field_errors(client, w):
    client.force_login(w.users["ld"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("pilots"), _form(w, name="", start_date=yesterday,
                                                    item="999999"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "start_date", "item"}
    assert "cannot start in the past" in response.content.decode()
    assert not Pilot.objects.exists()


def test_too_few_eligible_agents_is_a_form_error_not_a_pilot(client, w):
    client.force_login(w.users["ld"])
    response = client.post(reverse("pilots"), _form(w, work_arrangement="onsite"))
    assert response.status_code == 400
    assert "Only 0 agents match" in response.content.decode()
    assert not Pilot.objects.exists() and not Assignment.objects.filter(campaign=True).exists()


def test_eligibility_leaves_out_leads_leavers_those_done_and_those_in_a_pilot(w):
    done, busy = w.agents[0], w.agents[1]
    Completion.objects.create(employee=done, item=w.item, completed_on=date(2025, 1, 6))
    other = f.item()
    running = Pilot.objects.create(name="Other", item=other, seed=1,
                                   start_date=timezone.localdate())
    PilotMember.objects.create(pilot=running, employee=busy, treated=False)
    w.agents[2].status = Employee.Status.LEFT
    w.agents[2].save()
    eligible = set(retention.pilot_eligible(item=w.item, team=w.big_team))
    assert eligible == set(w.agents[3:])
    everyone = set(retention.pilot_eligible(item=w.item))
    assert w.lead_a not in everyone and w.a1 in everyone


@pytest.mark.parametrize("role", ["agent", "lead", "other_lead"])
def test_only_ld_and_admin_can_start_a_pilot(client, w, role):
    client.force_login(w.users[role])
    assert client.post(reverse("pilots"), _form(w)).status_code == 403
    assert not Pilot.objects.exists()


def test_the_result_is_shown_once_due_and_computed_once_per_data_version(client, w,
                                                                        monkeypatch):
    start = date(2025, 1, 6)
    pilot = Pilot.objects.create(name="Old pilot", item=w.item, seed=1, start_date=start,
                                 criteria={"power": {"mde_80": 0.3}})
    metric = Metric.objects.first()
    last_week = start + timedelta(weeks=7)  # the 8th week from the start week
    WeeklyPerformance.objects.create(employee=w.agents[0], period_start=last_week,
                                     metric=metric, value=1.0)
    calls = []

    def analysed(*, pilot, as_of=None):
        calls.append(pilot.pk)
        return {"difference": 0.21, "ci_low": 0.05, "ci_high": 0.37, "p_value": 0.01,
                "n_treated": 6, "n_control": 6, "n_treated_assigned": 6,
                "n_control_assigned": 6, "treated_mean_change": 0.3,
                "control_mean_change": 0.09}

    monkeypatch.setattr(retention, "pilot_analyse", analysed)
    client.force_login(w.users["ld"])
    for _ in range(2):
        html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
        assert "0.210" in html and "0.050 to 0.370" in html
        assert "improved more than the control group" in html
    assert calls == [pilot.pk]  # the second view read the cache
    assert ReportCache.objects.filter(kind=f"pilot-{pilot.pk}").count() == 1


def test_a_pilot_is_not_due_while_its_eighth_week_is_missing(w):
    start = date(2025, 1, 6)
    pilot = Pilot.objects.create(name="P", item=w.item, seed=1, start_date=start)
    metric = Metric.objects.first()
    WeeklyPerformance.objects.filter(period_start__gt=start + timedelta(weeks=6)).delete()
    WeeklyPerformance.objects.create(employee=w.agents[0], period_start=start + timedelta(
        weeks=6), metric=metric, value=1.0)
    report = retention.pilot_report(pilot=pilot)
    assert report["ready"] is False and report["result"] is None
    assert report["due"] == start + timedelta(weeks=8)


def test_pilots_page_has_a_fixed_query_count(client, w, django_assert_max_num_queries):
    for n in range(15):
        Pilot.objects.create(name=f"P{n}", item=f.item(), seed=n, created_by=w.users["ld"],
                             start_date=timezone.localdate())
    client.force_login(w.users["ld"])
    # session + user, the pilots with items and creators, the form's item/team/site choices
    with django_assert_max_num_queries(6):
        assert client.get(reverse("pilots")).status_code == 200


def test_pilots_page_lists_pilots_and_links_them(client, w):
    pilot = Pilot.objects.create(name="Listed pilot", item=w.item, seed=1,
                                 start_date=timezone.localdate())
    client.force_login(w.users["admin"])
    html = client.get(reverse("pilots")).content.decode()
    assert "Listed pilot" in html and reverse("pilot_detail", kwargs={"pk": pilot.pk}) in html
    assert 'name="start_date"' in html and 'type="date"' in html


@pytest.mark.slow
def test_power_is_stated_from_real_history_for_a_pilot_starting_after_the_data(
        client, tmp_path, settings):
    import io

    from django.core.management import call_command

    from recommender.simulation import simulate

    simulate(tmp_path / "centre", n_agents=60, weeks=40, seed=5)
    call_command("import_data", str(tmp_path / "centre"), stdout=io.StringIO(),
                 stderr=io.StringIO())
    ld = f.user("ld_specialist")
    item = LearningItem.objects.filter(active=True, mandatory=False).first()
    pilot = retention.pilot_launch(by_user=ld, name="Real", item=item, filters={}, seed=2,
                                   start_date=timezone.localdate())
    power = pilot.criteria["power"]
    n_t, n_c = power["n_treated"], power["n_control"]
    assert n_t + n_c == pilot.members.count() >= 10
    assert power["outcome_sd"] > 0 and power["mde_80"] > 0
    # the documented formula: (z.975 + z.8) · SD · √(1/n_t + 1/n_c)
    assert power["mde_80"] == pytest.approx(
        2.8016 * power["outcome_sd"] * (1 / n_t + 1 / n_c) ** 0.5, rel=1e-3)
    client.force_login(ld)
    html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
    assert f"{power['mde_80']:.3f}" in html and "The result appears once" in html
