"""A high-risk agent's suggested action names a concrete item: their own top recommendation,
else the cached effectiveness report's best measurably positive item, else the generic
sentence; built with a fixed number of queries however many agents there are."""

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lnd.models import (
    Completion,
    ModelVersion,
    Recommendation,
    RecommendationFeedback,
    RecommendationRun,
    ReportCache,
    RiskScore,
)
from lnd.services import retention
from recommender.retention.attrition_model import Suggestion, suggestion_sentence
from tests import factories as f

pytestmark = pytest.mark.django_db


def _run(*, current: bool = True) -> RecommendationRun:
    return RecommendationRun.objects.create(as_of=date(2025, 3, 3), status="complete",
                                            is_current=current)


def _rec(run, employee, item, rank, **fields) -> Recommendation:
    return Recommendation.objects.create(run=run, employee=employee, item=item, rank=rank,
                                         score=1.0 / rank, **fields)


def _report(items: list[dict], version: str = "v1") -> ReportCache:
    return ReportCache.objects.create(kind="retention", data_version=version,
                                      payload={"items": items})


def _effect(item, evidence: str, effect: float) -> dict:
    return {"item_code": item.code, "title": "title when the report was made",
            "suppressed": False, "evidence": evidence, "effect": effect,
            "shrunk_effect": effect / 2}


def test_the_suggestion_is_the_agents_top_recommendation_not_explored_nor_dismissed():
    a, b, c = (f.employee() for _ in range(3))
    explored, top, second, dismissed = (f.item(title=t) for t in (
        "Random pick", "Handling angry callers (simulation)", "Second", "Not for me"))
    run = _run()
    _rec(run, a, explored, 1, explored=True, expected_gain=0.2)
    _rec(run, a, top, 2, expected_gain=0.0412, on_path=True,
         path_note="Targets 2 of 3 missing skills for Team lead.")
    _rec(run, a, second, 3, expected_gain=0.03)
    gone = _rec(run, b, dismissed, 1, expected_gain=0.05)
    RecommendationFeedback.objects.create(recommendation=gone, employee=b, item=dismissed,
                                          action="dismissed")
    _rec(run, b, second, 2, expected_gain=None)
    _rec(_run(current=False), c, top, 1, expected_gain=0.3)  # an old run: not read

    got = retention.risk_suggestions()

    assert got[a.employee_id] == Suggestion(
        title="Handling angry callers (simulation)", source="recommendation",
        expected_gain=pytest.approx(0.0412), path_role="Team lead")
    assert suggestion_sentence(got[a.employee_id]) == (
        "Suggested action: start “Handling angry callers (simulation)” this week. It is "
        "their top recommendation (expected change in performance score +0.04 over the "
        "next 8 weeks) and on their path to Team lead.")
    assert got[b.employee_id] == Suggestion(title="Second", source="recommendation")
    assert c.employee_id not in got


def test_without_a_recommendation_it_is_the_reports_best_positive_item_not_yet_done():
    fresh, did_best, has_rec = (f.employee() for _ in range(3))
    f.employee(status="left")
    none_tier, retired, best, runner_up = (f.item(title=t) for t in (
        "No measurable effect", "Retired", "Calm calls", "Runner up"))
    retired.active = False
    retired.save()
    Completion.objects.create(employee=did_best, item=best, completed_on=date(2025, 1, 6))
    _rec(_run(), has_rec, runner_up, 1, expected_gain=0.02)
    _report([_effect(best, "positive", 0.01)], version="old")
    _report([_effect(retired, "positive", 0.3), _effect(best, "positive", 0.052),
             _effect(runner_up, "positive", 0.04), _effect(none_tier, "none", 0.5),
             {"item_code": "SUPP", "suppressed": True, "n_treated": 2}])

    got = retention.risk_suggestions()

    assert got[fresh.employee_id] == Suggestion(title="Calm calls", source="effectiveness",
                                                effect=pytest.approx(0.052))
    assert "(change in performance score +0.05 over the 8 weeks after" in \
        suggestion_sentence(got[fresh.employee_id])
    assert got[did_best.employee_id].title == "Runner up"
    assert got[has_rec.employee_id].source == "recommendation"
    assert len(got) == 3  # the leaver gets nothing


def test_with_neither_a_recommendation_nor_a_positive_item_there_is_no_suggestion():
    f.employee()
    _report([_effect(f.item(), "none", 0.2), _effect(f.item(), "negative", -0.1)])
    assert retention.risk_suggestions() == {}
    assert suggestion_sentence(None).startswith(
        "Suggested action: agree a development step in the next two weeks;")


def _grow(n: int) -> None:
    run = RecommendationRun.objects.get(is_current=True)
    items = list(Recommendation.objects.values_list("item", flat=True).distinct())
    for _ in range(n):
        e = f.employee()
        _rec(run, e, f.item(), 1, expected_gain=0.01, on_path=True,
             path_note="Targets 1 of 2 missing skills for Senior agent.")
        Completion.objects.create(employee=f.employee(), item_id=items[0],
                                  completed_on=date(2025, 1, 6))


def test_building_the_suggestions_takes_the_same_queries_for_any_number_of_agents(
        django_assert_num_queries):
    best = f.item()
    _rec(_run(), f.employee(), best, 1)
    _report([_effect(best, "positive", 0.05)])
    f.employee()
    # current recommendations, latest report, its active positive items, completions of
    # them, active employees
    with django_assert_num_queries(5):
        small = retention.risk_suggestions()
    _grow(6)
    with django_assert_num_queries(5):
        large = retention.risk_suggestions()
    assert len(small) == 2 and len(large) == 8  # the 6 who did the only positive item: none


@pytest.fixture
def scoring(monkeypatch):
    """risk_score with the model and the data stubbed: the real suggestions go into a
    score_agents that marks every second agent high-risk the way the real one does."""
    ModelVersion.objects.create(kind="risk", status="active", as_of=date(2025, 3, 3),
                                artifact_path="x", artifact_sha256="0" * 64)
    monkeypatch.setattr(retention.registry, "load_model", lambda version, loader: object())
    monkeypatch.setattr(retention, "dataset_from_db", lambda as_of=None: SimpleNamespace(
        as_of=pd.Timestamp("2025-03-03")))
    seen = {}

    def score_agents(ds, model, *, suggestions):
        seen["suggestions"] = suggestions
        ids = sorted(retention.Employee.objects.values_list("employee_id", flat=True))
        return pd.DataFrame({
            "employee_id": ids, "risk_90d": [0.6 if i % 2 == 0 else 0.05
                                             for i in range(len(ids))],
            "drivers": [["A driver.", suggestion_sentence(suggestions.get(e))] if i % 2 == 0
                        else ["A driver."] for i, e in enumerate(ids)],
            "model_version": "m"})
    monkeypatch.setattr(retention, "score_agents", score_agents)
    return seen


def test_risk_scoring_stores_the_suggestion_apart_from_the_drivers(scoring):
    agent = f.employee(employee_id="A0")
    _rec(_run(), agent, f.item(title="Calm calls"), 1, expected_gain=0.04)
    low = f.employee(employee_id="A1")

    run = retention.risk_score()

    mine = RiskScore.objects.get(run=run, employee=agent)
    assert mine.drivers == ["A driver."]
    assert mine.suggested_action.startswith("Suggested action: start “Calm calls” this week.")
    assert RiskScore.objects.get(run=run, employee=low).suggested_action == ""
    assert set(scoring["suggestions"]) == {"A0"}


def test_risk_scoring_takes_the_same_queries_for_any_number_of_agents(scoring):
    _rec(_run(), f.employee(), f.item(), 1, expected_gain=0.04)
    _report([_effect(f.item(), "positive", 0.05)])
    f.employee()
    retention.risk_score()  # from here on each run also retires the one before it
    with CaptureQueriesContext(connection) as first:
        retention.risk_score()
    _grow(8)
    with CaptureQueriesContext(connection) as second:
        retention.risk_score()
    assert len(second) == len(first)
    scored = RiskScore.objects.filter(run__is_current=True)
    assert scored.count() == 18  # 2 agents, then 8 with a recommendation, 8 completers
    assert scored.exclude(suggested_action="").count() == 9  # the stub's high-risk half
