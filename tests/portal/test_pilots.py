"""The portal's pilot pages, a thin layer over lnd.services.pilots (whose rules are tested
once in tests/api/test_pilots.py): the form's single team or site becomes the service's
lists, the service's errors land on the form's fields, and the page shows the power, the
wait for 8 weeks, the result and its suppression."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lnd.models import Assignment, Pilot, PilotMember
from lnd.services import retention
from tests import factories as f
from tests.access.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    world.objects["big_team"] = f.team(code="BIG")
    world.big_team.site = world.site
    world.big_team.save()
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
    assert Assignment.objects.filter(item=w.item, campaign=True).count() == 6
    assert pilot.seed == 11 and pilot.created_by == w.users["ld"]
    # the single team is the service's list of one; the readable form names it
    assert pilot.criteria["teams"] == ["BIG"] and pilot.criteria["sites"] == []
    assert pilot.criteria["filters"] == {"Teams": w.big_team.name}
    assert "power" in pilot.criteria


def test_the_site_and_the_other_filters_reach_the_service(client, w):
    client.force_login(w.users["admin"])
    response = client.post(reverse("pilots"), _form(
        w, team="", site=w.site.pk, work_arrangement="remote", employment_type="full_time",
        hired_within_months="120", seed=""))
    assert response.status_code == 302, response.context["form"].errors
    criteria = Pilot.objects.get().criteria
    assert criteria["sites"] == [w.site.name] and criteria["teams"] == []
    assert (criteria["work_arrangement"], criteria["employment_type"],
            criteria["hired_within_months"]) == ("remote", "full_time", 120)
    assert criteria["eligible"] == 14  # BIG's 12, a2 and b1 (a1 has the item open)


def test_form_errors_and_the_services_errors_show_on_their_fields(client, w):
    client.force_login(w.users["ld"])
    response = client.post(reverse("pilots"), _form(w, name="", item="999999"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "item"}
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("pilots"), _form(w, start_date=yesterday))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"start_date"}
    assert "cannot start in the past" in response.content.decode()
    assert not Pilot.objects.exists()


def test_too_few_eligible_agents_is_a_form_error_not_a_pilot(client, w):
    client.force_login(w.users["ld"])
    response = client.post(reverse("pilots"), _form(w, work_arrangement="onsite"))
    assert response.status_code == 400
    assert "Only 0 agents match" in response.content.decode()
    assert not Pilot.objects.exists() and not Assignment.objects.filter(campaign=True).exists()


@pytest.mark.parametrize("role", ["agent", "lead", "other_lead"])
def test_only_ld_and_admin_can_start_a_pilot(client, w, role):
    client.force_login(w.users[role])
    assert client.post(reverse("pilots"), _form(w)).status_code == 403
    assert not Pilot.objects.exists()


def test_the_pilot_page_states_power_arms_and_waits_for_eight_weeks(client, w):
    client.force_login(w.users["ld"])
    client.post(reverse("pilots"), _form(w))
    pilot = Pilot.objects.get()
    pilot.criteria["power"] = {"mde_80": 0.2346, "outcome_sd": 0.41,
                               "computed_from_weeks_before": "2025-03-31"}
    pilot.save()
    html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
    assert "0.235" in html and "80% power" in html
    assert "The result appears once performance data" in html
    assert "6 assigned the item (0 completed it so far); 6 in the control group" in html
    assert f"Teams: {w.big_team.name}" in html


def _due_pilot(w) -> Pilot:
    """A pilot whose 8 weeks are imported (the world has data to 24 March 2025)."""
    return Pilot.objects.create(name="Old pilot", item=w.item, seed=1,
                                start_date=date(2025, 1, 6),
                                criteria={"power": {"mde_80": 0.3}})


def _analysed(n: int) -> dict:
    return {"difference": 0.21, "ci_low": 0.05, "ci_high": 0.37, "p_value": 0.01,
            "n_treated": n, "n_control": n, "n_treated_assigned": 6,
            "n_control_assigned": 7, "treated_mean_change": 0.3, "control_mean_change": 0.09}


def test_the_result_is_shown_once_due(client, w, monkeypatch):
    monkeypatch.setattr(retention, "pilot_analyse", lambda **kw: _analysed(6))
    pilot = _due_pilot(w)
    client.force_login(w.users["ld"])
    html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
    assert "0.210" in html and "0.050 to 0.370" in html
    assert "improved more than the control group" in html


def test_a_small_arm_shows_a_notice_and_no_numbers(client, w, monkeypatch):
    monkeypatch.setattr(retention, "pilot_analyse", lambda **kw: _analysed(4))
    pilot = _due_pilot(w)
    client.force_login(w.users["ld"])
    html = client.get(reverse("pilot_detail", kwargs={"pk": pilot.pk})).content.decode()
    assert "fewer than 5 agents with performance data" in html
    assert "6 were assigned the item, 7 were in the control group" in html
    assert "0.210" not in html and "0.050" not in html


def test_pilots_page_has_a_fixed_query_count(client, w, django_assert_max_num_queries):
    for n in range(15):
        Pilot.objects.create(name=f"P{n}", item=f.item(), seed=n, created_by=w.users["ld"],
                             start_date=timezone.localdate())
    client.force_login(w.users["ld"])
    # session + user, the pilots with items, creators and arm counts, the form's
    # item/team/site choices
    with django_assert_max_num_queries(6):
        assert client.get(reverse("pilots")).status_code == 200


def test_pilots_page_lists_pilots_and_links_them(client, w):
    pilot = Pilot.objects.create(name="Listed pilot", item=w.item, seed=1,
                                 start_date=timezone.localdate())
    PilotMember.objects.create(pilot=pilot, employee=w.a2, treated=True)
    client.force_login(w.users["admin"])
    html = client.get(reverse("pilots")).content.decode()
    assert "Listed pilot" in html and reverse("pilot_detail", kwargs={"pk": pilot.pk}) in html
    assert "<td>1 / 0</td>" in html
    assert 'name="start_date"' in html and 'type="date"' in html
