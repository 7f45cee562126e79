"""Weekly metrics derived from interactions; sentiment computed from transcripts."""

from datetime import date

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from lnd.models import Interaction, WeeklyPerformance
from lnd.services.importer import run_import

from .builders import roster, write_csv

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


def interaction(n, **over):
    row = {"interaction_id": f"i{n}", "employee_id": "A1",
           "started_at": f"2025-03-0{3 + n % 4}T10:00:00+00:00", "channel": "voice",
           "topic": "billing", "customer_sentiment": "", "transcript": "",
           "handle_seconds": "", "resolved": "", "csat": ""}
    row.update(over)
    return row


def weekly():
    return {(code, source): value for code, source, value in WeeklyPerformance.objects.filter(
        period_start=MONDAY).values_list("metric__code", "source", "value")}


def test_missing_weekly_metrics_are_derived_from_that_weeks_interactions(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [
        interaction(1, handle_seconds="200", resolved="true", csat="5",
                    customer_sentiment="0.5"),
        interaction(2, handle_seconds="400", resolved="false", csat="3",
                    customer_sentiment="-0.1"),
        interaction(3, resolved="true"),
        interaction(4, started_at="2025-03-10T10:00:00+00:00", handle_seconds="999")])
    result = run_import(tmp_path)
    assert result.ok
    assert weekly() == {("aht_seconds", "derived"): 300.0,
                        ("fcr_rate", "derived"): pytest.approx(2 / 3),
                        ("csat", "derived"): 4.0,
                        ("customer_sentiment", "derived"): pytest.approx(0.2)}
    derived = result.files[-1]
    assert derived.file_name.startswith("weekly_performance")
    assert derived.created == 5  # four for 3 March, aht for 10 March


def test_reported_values_always_win(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "performance.csv", [
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "aht_seconds",
         "value": "250"}])
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="900", csat="4")])
    run_import(tmp_path)
    assert weekly() == {("aht_seconds", "reported"): 250.0, ("csat", "derived"): 4.0}


def test_a_later_reported_value_replaces_a_derived_one(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="900")])
    run_import(tmp_path)
    (tmp_path / "interactions.csv").unlink()
    write_csv(tmp_path, "performance.csv", [
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "aht_seconds",
         "value": "250"}])
    run_import(tmp_path)
    assert weekly() == {("aht_seconds", "reported"): 250.0}


def test_rederiving_is_idempotent_and_follows_corrections(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="100"),
                                             interaction(2, handle_seconds="300")])
    run_import(tmp_path)
    again = run_import(tmp_path).files[-1]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="100"),
                                             interaction(2, handle_seconds="500")])
    fixed = run_import(tmp_path).files[-1]
    assert (fixed.created, fixed.updated) == (0, 1)
    assert weekly() == {("aht_seconds", "derived"): 300.0}


def test_an_interaction_moved_to_another_week_is_rederived_in_both(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="100")])
    run_import(tmp_path)
    write_csv(tmp_path, "interactions.csv", [
        interaction(1, handle_seconds="100", started_at="2025-03-10T09:00:00+00:00")])
    report = run_import(tmp_path).files[-1]
    assert "1 derived value(s) removed" in report.warnings[0]
    assert weekly() == {}
    assert WeeklyPerformance.objects.get().period_start == date(2025, 3, 10)


def test_a_transcript_without_sentiment_gets_vader_compound(tmp_path):
    roster(tmp_path)
    text = "Thank you so much, that was really helpful and quick!"
    write_csv(tmp_path, "interactions.csv", [
        interaction(1, transcript=text),
        interaction(2, transcript="awful", customer_sentiment="0.3"),
        interaction(3)])
    run_import(tmp_path)
    expected = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    rows = {i.interaction_id: i for i in Interaction.objects.all()}
    assert rows["i1"].customer_sentiment == pytest.approx(expected, abs=1e-4)
    assert rows["i1"].sentiment_source == "computed"
    assert (rows["i2"].customer_sentiment, rows["i2"].sentiment_source) == (0.3, "given")
    assert (rows["i3"].customer_sentiment, rows["i3"].sentiment_source) == (None, "none")


def test_the_sentiment_analyser_is_built_once(tmp_path, monkeypatch):
    from lnd.services.importer import sentiment

    sentiment._analyser.cache_clear()
    built = []
    original = SentimentIntensityAnalyzer.__init__
    monkeypatch.setattr(SentimentIntensityAnalyzer, "__init__",
                        lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [interaction(n, transcript="good") for n in
                                             range(5)])
    run_import(tmp_path)
    assert len(built) == 1


def test_only_metrics_that_exist_are_derived(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "metrics.csv", [{"metric_code": "csat", "name": "CSAT"}])
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="100", csat="4")])
    run_import(tmp_path)
    assert weekly() == {("csat", "derived"): 4.0}  # no aht_seconds metric, so no aht


def test_nothing_is_derived_without_derivable_metrics(tmp_path):
    roster(tmp_path)
    (tmp_path / "metrics.csv").unlink()
    write_csv(tmp_path, "interactions.csv", [interaction(1, handle_seconds="100", csat="4")])
    result = run_import(tmp_path)
    assert result.ok
    assert WeeklyPerformance.objects.count() == 0
    assert result.files[-1].rows == 0
