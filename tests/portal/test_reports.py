"""The retention report page and its CSV downloads, on a report built by the real
recommender.retention code (a small hand-made centre), read from the cache."""

from __future__ import annotations

import copy
import csv
import io
import json
import re

import pytest
from django.urls import reverse

from lnd.models import ReportCache
from lnd.services import report_export
from recommender.retention.report import build_retention_report
from tests.access.world import build_world
from tests.recommender.test_retention_fixtures import make_centre

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def real_payload() -> dict:
    ds, _ = make_centre(n_agents=120, weeks=70, seed=51)
    ds.agents.loc[ds.agents.index[:3], "team_code"] = "TINY"  # a team of 3: suppressed
    return build_retention_report(ds, window_weeks=12)


@pytest.fixture
def payload(real_payload) -> dict:
    """The real report plus the suppressed shapes recommender.retention returns for a rare
    item and a coach with few coachees, and an ROI programme with 3 events."""
    p = copy.deepcopy(real_payload)
    p["items"].append({"item_code": "RARE1", "title": "=HYPERLINK(\"x\")", "n_treated": 3,
                       "suppressed": True})
    p["coaches"].append({"coach_employee_id": "C-FEW", "n_coached": 2, "suppressed": True})
    p["roi"]["programmes"].append({"item_code": "RARE1", "n_events": 3,
                                   "separations_avoided": 0.123456, "retention_value": 1234.5,
                                   "kpi_value": 0.0, "cost": 987.654, "net_value": 246.846,
                                   "roi": 0.25})
    return p


@pytest.fixture
def ld(client):
    world = build_world()
    client.force_login(world.users["ld"])
    return client


def _cache(payload: dict) -> ReportCache:
    return ReportCache.objects.create(kind="retention", data_version="v-test", payload=payload)


def _json_scripts(html: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)}


def _csv(client, section: str) -> list[dict]:
    response = client.get(reverse("report_csv", kwargs={"section": section}))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_page_has_every_section_with_the_cached_numbers(ld, payload):
    _cache(payload)
    html = ld.get(reverse("reports")).content.decode()
    for anchor in ("development", "survival", "model", "items", "coaches", "roi", "pilots"):
        assert f'id="{anchor}"' in html
    dev = payload["development"]
    assert f"{dev['hazard_ratio']:.2f}" in html and f"{dev['naive_hazard_ratio']:.2f}" in html
    assert f"{dev['ci_low']:.2f} to {dev['ci_high']:.2f}" in html
    assert f"{dev['n_agents']} agents, {dev['n_events']} voluntary leavers" in html
    assert dev["interpretation"][:60] in html and "What it does not mean" in html
    assert "Proportional-hazards check" in html
    model = payload["attrition_model"]
    assert f"{model['roc_auc']:.3f}" in html and f"{model['base_rate']:.3f}" in html
    brier_baseline = model["base_rate"] * (1 - model["base_rate"])
    assert f"{brier_baseline:.4f}" in html  # Brier against always predicting the base rate
    for assumption in payload["roi"]["assumptions"]:
        assert assumption.replace("'", "&#x27;") in html
    for slug in report_export.SECTIONS:
        assert reverse("report_csv", kwargs={"section": slug}) in html


def test_every_chart_has_its_data_in_json_script_and_a_table(ld, payload):
    _cache(payload)
    html = ld.get(reverse("reports")).content.decode()
    scripts = _json_scripts(html)
    canvases = re.findall(r'<canvas data-chart="([^"]+)" role="img" aria-label="([^"]+)"', html)
    assert len(canvases) >= 9  # hazard, 4 KM, Simon–Makuch, reliability, items, coaches, ROI
    for chart_id, label in canvases:
        assert chart_id in scripts and scripts[chart_id]["datasets"]
        assert "table" in label  # tells screen-reader users where the numbers are
    assert html.count("<table") >= len(canvases)
    dev = payload["development"]
    hazard = scripts["chart-hazard"]
    assert hazard["datasets"][1]["data"][0] == pytest.approx(dev["hazard_ratio"])
    assert hazard["datasets"][0]["data"][0] == pytest.approx([dev["ci_low"], dev["ci_high"]])
    bins = payload["attrition_model"]["reliability"]
    assert [p["y"] for p in scripts["chart-reliability"]["datasets"][0]["data"]] == \
        pytest.approx([b["observed_rate"] for b in bins])
    shown = [i for i in payload["items"] if not i["suppressed"]]
    assert scripts["chart-items"]["labels"] == [i["item_code"] for i in shown]


def test_groups_under_five_are_suppressed_on_the_page(ld, payload):
    _cache(payload)
    html = ld.get(reverse("reports")).content.decode()
    teams = _json_scripts(html)["chart-km-team_code"]
    assert not any(d["label"].startswith("TINY") for d in teams["datasets"])
    assert teams["datasets"]  # the other teams are drawn
    assert re.search(r'<th scope="row">TINY</th>\s*<td colspan="\d+">fewer than 5 agents', html)
    assert "RARE1" not in _json_scripts(html)["chart-items"]["labels"]
    assert re.search(r'RARE1</span></th><td>3</td>\s*<td colspan="4">fewer than 5', html)
    assert re.search(r'C-FEW</th><td>2</td>\s*<td colspan="3">fewer than 5', html)
    roi_labels = _json_scripts(html)["chart-roi"]["labels"]
    assert "RARE1" not in roi_labels and "987" not in html.split('id="roi"')[1].split(
        "</section>")[0]


def _with_harm_and_a_lucky_guess(payload: dict) -> dict:
    """The real report plus an item with a measurably negative effect and one whose high
    estimate is not measurable, where recommender.retention would list them."""
    p = copy.deepcopy(payload)
    lucky = {"item_code": "LUCKY", "title": "Lucky", "n_treated": 6, "suppressed": False,
             "effect": 0.9, "ci_low": -0.1, "ci_high": 1.9, "p_value": 0.08, "q_value": 0.16,
             "shrunk_effect": 0.5, "shrunk_ci_low": -0.2, "shrunk_ci_high": 1.2,
             "no_measurable_effect": True, "evidence": "none"}
    harm = {**lucky, "item_code": "HARM", "title": "Harm", "n_treated": 40, "effect": -0.2,
            "ci_low": -0.3, "ci_high": -0.1, "p_value": 0.0001, "q_value": 0.001,
            "shrunk_effect": -0.15, "no_measurable_effect": False, "evidence": "negative"}
    shown = [i for i in p["items"] if not i["suppressed"]]
    first_none = next(k for k, i in enumerate(shown) if i["evidence"] == "none")
    p["items"] = (shown[:first_none] + [lucky] + shown[first_none:] + [harm]
                  + [i for i in p["items"] if i["suppressed"]])
    return p


def _tier_order(payload: dict) -> list[tuple[str, str]]:
    return [(i["item_code"], i.get("evidence") or "suppressed") for i in payload["items"]]


def test_items_are_shown_under_their_evidence_tier_in_page_and_csv(ld, payload):
    p = _with_harm_and_a_lucky_guess(payload)
    _cache(p)
    html = ld.get(reverse("reports")).content.decode()
    section = html.split('id="items"')[1].split("</section>")[0]
    bodies = re.findall(r'<tbody class="tier" data-evidence="(\w+)">(.*?)</tbody>', section, re.S)
    assert [b[0] for b in bodies] == ["positive", "none", "negative", "suppressed"]
    headings = [re.search(r'scope="rowgroup"[^>]*>([^<(]+)', b[1]).group(1).strip()
                for b in bodies]
    assert headings == ["Measurable benefit", "No measurable effect", "Measurable harm",
                        "Too few agents to estimate"]
    rows = r'<th scope="row">([^<]*?)(?: <span class="muted">([^<]+)</span>)?</th>'
    on_page = [(code or title, tier) for tier, body in bodies
               for title, code in re.findall(rows, body)]
    assert on_page == _tier_order(p)
    assert on_page[:3] == [("GOOD2", "positive"), ("GOOD1", "positive"), ("LUCKY", "none")]
    assert on_page[-2:] == [("HARM", "negative"), ("RARE1", "suppressed")]
    composite = [r for r in _csv(ld, "items") if r["outcome"] == "composite" and not r["subgroup"]]
    assert [(r["item_code"], r["evidence"] or "suppressed") for r in composite] == on_page
    assert _json_scripts(html)["chart-items"]["labels"] == [
        c for c, t in on_page if t != "suppressed"]


def test_a_report_cached_before_the_tiers_is_shown_in_tiers(ld, payload):
    p = _with_harm_and_a_lucky_guess(payload)
    expected = _tier_order(p)
    for i in p["items"]:
        i.pop("evidence", None)
    p["items"].sort(key=lambda i: -(i.get("shrunk_effect") or 0))  # the old order
    assert p["items"][0]["item_code"] == "LUCKY"
    _cache(p)
    composite = [r for r in _csv(ld, "items") if r["outcome"] == "composite" and not r["subgroup"]]
    assert [(r["item_code"], r["evidence"] or "suppressed") for r in composite] == expected


def test_groups_under_five_are_suppressed_in_the_csv(ld, payload):
    _cache(payload)
    tiny = [r for r in _csv(ld, "survival") if r["group"] == "TINY"]
    assert len(tiny) == 1 and tiny[0]["suppressed"] == "true"
    assert tiny[0]["survival"] == tiny[0]["n_agents"] == "" and "fewer than 5" in tiny[0]["note"]
    rare = [r for r in _csv(ld, "items") if r["item_code"] == "RARE1"]
    assert len(rare) == 1 and rare[0]["effect"] == "" and rare[0]["suppressed"] == "true"
    few = [r for r in _csv(ld, "coaches") if r["coach_employee_id"] == "C-FEW"]
    assert len(few) == 1 and few[0]["effect"] == few[0]["shrunk_effect"] == ""
    roi = [r for r in _csv(ld, "roi") if r["item_code"] == "RARE1"]
    assert len(roi) == 1 and roi[0]["cost"] == "" and roi[0]["suppressed"] == "true"


@pytest.mark.parametrize("section", list(report_export.SECTIONS))
def test_each_section_downloads_as_csv_with_its_columns(ld, payload, section):
    _cache(payload)
    response = ld.get(reverse("report_csv", kwargs={"section": section}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="retention-{section}-{payload["as_of"]}.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == report_export.SECTIONS[section].columns
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)


def test_csv_numbers_are_the_cached_ones(ld, payload):
    _cache(payload)
    dev = payload["development"]
    first = _csv(ld, "development")[0]
    assert (first["model"], first["term"]) == ("adjusted", "recent development")
    assert float(first["hazard_ratio"]) == pytest.approx(dev["hazard_ratio"], rel=1e-5)
    assert float(first["ci_high"]) == pytest.approx(dev["ci_high"], rel=1e-5)
    model = {r["name"]: r for r in _csv(ld, "attrition-model")}
    assert float(model["ROC-AUC (0.5 = chance)"]["value"]) == pytest.approx(
        payload["attrition_model"]["roc_auc"], rel=1e-5)
    roi = _csv(ld, "roi")
    assert [r["note"] for r in roi if r["row_type"] == "assumption"] == \
        payload["roi"]["assumptions"]


def test_csv_numbers_stay_plain_decimals_for_spreadsheets():
    cell = report_export._cell
    assert [cell(1234567.891), cell(0.6815623), cell(2.0), cell(6.3e-09), cell(None),
            cell(True), cell(-0.5)] == ["1234567.891", "0.681562", "2", "6.300e-09", "",
                                        "true", "-0.5"]


def test_csv_cells_that_look_like_formulas_are_neutralised(ld, payload):
    _cache(payload)
    rare = next(r for r in _csv(ld, "items") if r["item_code"] == "RARE1")
    assert rare["title"] == "'=HYPERLINK(\"x\")"


def test_page_and_csv_read_the_cache_and_never_recompute(ld, payload, monkeypatch):
    from lnd.services import retention

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(retention, "dataset_from_db", refuse)
    monkeypatch.setattr(retention, "build_retention_report", refuse)
    _cache(payload)
    assert ld.get(reverse("reports")).status_code == 200
    assert ld.get(reverse("report_csv", kwargs={"section": "items"})).status_code == 200


def test_the_latest_report_is_the_one_shown_and_downloaded(ld, payload):
    old = copy.deepcopy(payload)
    old["development"]["hazard_ratio"] = 0.123456
    ReportCache.objects.create(kind="retention", data_version="old", payload=old)
    _cache(payload)
    assert "0.12 " not in ld.get(reverse("reports")).content.decode()
    assert float(_csv(ld, "development")[0]["hazard_ratio"]) == pytest.approx(
        payload["development"]["hazard_ratio"], rel=1e-5)


def test_a_centre_too_small_to_report_shows_no_figures(ld):
    _cache({"as_of": "2025-03-31", "data_start": "2024-01-01", "min_group_size": 5,
            "suppressed": True})
    html = ld.get(reverse("reports")).content.decode()
    assert "fewer than 5 agents with performance data" in html and "<canvas" not in html
    rows = list(csv.reader(io.StringIO(ld.get(reverse(
        "report_csv", kwargs={"section": "survival"})).content.decode())))
    assert len(rows) == 1  # the header only


def test_csv_of_an_unknown_section_or_without_a_report_is_404(ld, payload):
    assert ld.get(reverse("report_csv", kwargs={"section": "items"})).status_code == 404
    _cache(payload)
    assert ld.get(reverse("report_csv", kwargs={"section": "salaries"})).status_code == 404


@pytest.mark.parametrize("role", ["agent", "lead", "integration"])
def test_csv_is_for_ld_and_admin_only(client, payload, role):
    world = build_world()
    _cache(payload)
    client.force_login(world.users[role])
    assert client.get(reverse("report_csv", kwargs={"section": "items"})).status_code == 403


def test_the_report_page_has_a_fixed_query_count(ld, payload, django_assert_max_num_queries):
    _cache(payload)
    # session + user, the report, coach names, item titles, the pilots list
    with django_assert_max_num_queries(6):
        assert ld.get(reverse("reports")).status_code == 200
