"""The models page's fairness section, from a stored fairness block."""

import re

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lnd.models import ModelVersion, User
from recommender import fairness
from recommender.json_safe import json_safe
from tests import factories as f

pytestmark = pytest.mark.django_db


def _risk_block() -> dict:
    """North 200 agents (10% leave), Harbour 20 (50% leave: flagged), Tiny 3 (suppressed);
    the model predicts 10% for everyone."""
    people, rows = [], []
    for site, n, share in (("North", 200, 0.1), ("Harbour", 20, 0.5), ("Tiny", 3, 1.0)):
        for i in range(n):
            e = f"A-{site}-{i}"
            people.append({"employee_id": e, "work_arrangement": "remote",
                           "employment_type": "full_time", "site": site})
            rows += [{"employee_id": e, "label": int(i < round(share * n)),
                      "predicted": 0.1}] * 4
    return json_safe(fairness.risk_report(pd.DataFrame(rows), pd.DataFrame(people),
                                          fairness.Rule()))


def _version(kind: str, metrics: dict) -> ModelVersion:
    return ModelVersion.objects.create(kind=kind, as_of="2025-09-29", artifact_path="/x",
                                       artifact_sha256="0" * 64, metrics=metrics)


def _page(client) -> str:
    client.force_login(f.user(User.Role.LD_SPECIALIST))
    return client.get(reverse("models")).content.decode()


def test_a_flagged_gap_is_marked_in_words_and_a_small_group_shows_no_numbers(client):
    v = _version("risk", {"roc_auc": 0.61, "fairness": _risk_block()})
    html = _page(client)
    assert f'<a href="#fairness-{v.pk}"><span class="badge bad">1 gap flagged</span>' in html
    section = html[html.index(f'id="fairness-{v.pk}"'):]
    harbour = re.search(r'<th scope="row">Harbour</th>(.*?)</tr>', section, re.S).group(1)
    assert "Flagged:</span> calibration gap" in harbour and "50.0%" in harbour
    assert "Harbour: calibration gap" in section  # the flag's sentence above the tables
    tiny = re.search(r'<th scope="row">Tiny</th>(.*?)</tr>', section, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", tiny)
    assert text == "suppressed: fewer than 5 agents"  # no figure about the 3 people
    north = re.search(r'<th scope="row">North</th>(.*?)</tr>', section, re.S).group(1)
    assert "Flagged" not in north


def test_models_without_a_fairness_block_still_render(client):
    _version("gain", {"heldout_item_corr_model": 0.5})
    _version("risk", {"roc_auc": 0.6, "fairness": {"overall": None, "note": "no held-out "
                      "rows to break down", "groupings": {}, "flags": [], "rule": {},
                      "measures": {}}})
    html = _page(client)
    assert "not measured" in html and "Not measured: no held-out rows to break down" in html


def test_the_fairness_section_costs_no_queries_per_model(client):
    client.force_login(f.user(User.Role.LD_SPECIALIST))
    _version("risk", {"fairness": _risk_block()})
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("models"))
    for _ in range(3):
        _version("risk", {"fairness": _risk_block()})
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("models"))
    assert len(four) == len(one)
