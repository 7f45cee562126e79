"""What one row of a lead's team table says, computed once in Python (no database)."""

from types import SimpleNamespace

import pytest

from lnd.selectors.portal_team import AgentRow


def row(values=(), risk=None, hidden=False) -> AgentRow:
    return AgentRow(employee=None, hidden=hidden, kpi_values=list(values), last_coaching=None,
                    open_recs=0, overdue=0, risk=risk)


@pytest.mark.parametrize(("values", "text"), [
    ((), ""),
    ((0.5,), "0.50"),
    ((0.70, 0.81), "0.81 (+0.11)"),
    ((0.81, 0.70), "0.70 (-0.11)"),
    ((0.801, 0.7999), "0.80 (0.00)"),  # a change that rounds to nothing has no sign
])
def test_the_kpi_reads_latest_value_and_change_over_the_window(values, text):
    assert row(values).kpi_text == text


def test_a_hidden_site_shows_no_change_and_no_line():
    hidden = row((0.7, 0.8), hidden=True)
    assert hidden.kpi_change is None and hidden.sparkline == ""


def test_the_sparkline_puts_the_highest_value_at_the_top():
    points = [p.split(",") for p in row((1.0, 3.0, 2.0)).sparkline.split()]
    assert [float(x) for x, _ in points] == [0.0, 40.0, 80.0]
    assert [float(y) for _, y in points] == [18.0, 2.0, 10.0]


@pytest.mark.parametrize(("risk", "level", "percent"), [
    (0.10, "good", 10), (0.25, "warn", 25), (0.499, "warn", 50), (0.5, "bad", 50)])
def test_risk_badges_change_at_a_quarter_and_a_half(risk, level, percent):
    r = row(risk=SimpleNamespace(risk_90d=risk, drivers=[]))
    assert (r.risk_level, r.risk_percent) == (level, percent)


def test_two_drivers_are_shown_and_no_risk_shows_nothing():
    r = row(risk=SimpleNamespace(risk_90d=0.6, drivers=["A fell", "B rose", "C"]))
    assert r.risk_drivers_text == "A fell; B rose"
    assert (row().risk_level, row().risk_percent, row().risk_drivers_text) == ("", None, "")
