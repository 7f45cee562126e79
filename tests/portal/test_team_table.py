"""The team table's rows, built in Python (lnd/templatetags/team_table.py), are the bytes
the template gave: every case of a row rendered both ways, including values that need
escaping, ids that need quoting in a URL, and another language's dates."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from lnd.selectors.portal_team import AgentRow, Member
from lnd.templatetags.team_table import team_rows

# The row markup as portal/_team_table.html held it before the rows moved to Python.
TEMPLATE_ROWS = """{% for r in rows %}{% with e=r.employee %}<tr role="row">
    <th scope="row" role="rowheader"><a href="{% url 'agent_detail' e.employee_id %}">{{ e.name }}</a></th>
    <td role="cell" data-label="Role">{{ e.role_name|default:"—" }}</td>
    <td role="cell" class="kpi" data-label="{{ metric_name }} trend"><div>{% if r.hidden %}<span class="muted">hidden at this site</span>{% elif r.kpi_text %}{% if r.sparkline %}<svg class="spark" width="80" height="20" viewBox="0 0 80 20" aria-hidden="true" focusable="false"><polyline points="{{ r.sparkline }}" fill="none" stroke="#0b3d5c" stroke-width="1.5"/></svg> {% endif %}{{ r.kpi_text }}{% else %}—{% endif %}</div></td>
    <td role="cell" data-label="Last coaching">{% if r.last_coaching %}{{ r.last_coaching|date }}{% else %}never{% endif %}</td>
    <td role="cell" data-label="Open recommendations">{{ r.open_recs }}</td>
    <td role="cell" data-label="Overdue mandatory">{% if r.overdue %}<span class="badge bad">{{ r.overdue }}</span>{% else %}0{% endif %}</td>
    <td role="cell" data-label="Risk (90 days)"><div>{% if r.hidden %}<span class="muted">hidden</span>{% elif r.risk %}<span class="badge {{ r.risk_level }}">{{ r.risk_percent }}%</span>
      {% if r.risk_drivers_text %}<span class="muted">{{ r.risk_drivers_text }}</span>{% endif %}{% else %}—{% endif %}</div></td>
  </tr>{% endwith %}{% endfor %}"""  # noqa: E501 - the template's lines as they were


def row(employee_id="A001", name="Ann Lee", role="Agent", *, values=(0.7, 0.8), hidden=False,
        coached=date(2025, 3, 4), open_recs=2, overdue=0, risk=0.41,
        drivers=("Tenure under a year",)) -> AgentRow:
    score = None if risk is None else SimpleNamespace(risk_90d=risk, drivers=list(drivers))
    return AgentRow(Member(1, employee_id, name, role), hidden, list(values), coached,
                    open_recs, overdue, score)


ROWS = [
    row(),
    row(name='<script>alert("x")</script> & O\'Neil', role="Q&A <lead>"),
    row(role=None), row(role=""),
    row(values=()), row(values=(0.5,)), row(values=(0.9, 0.4, 0.6)),
    row(hidden=True), row(coached=None), row(coached=date(2024, 12, 31)),
    row(open_recs=0, overdue=3), row(open_recs=1234, overdue=1000),
    row(risk=None), row(risk=0.6, drivers=()), row(risk=0.25, drivers=("a <b>", "c&d", "e")),
    row(employee_id="A 01"), row(employee_id="Ä-7"), row(employee_id="x%2Fy"),
    row(employee_id="a.b_c~d-e"), row(employee_id="45"),
]


def render_both(rows, metric_name="CSAT <score>"):
    expected = engines["django"].from_string(TEMPLATE_ROWS).render(
        {"rows": rows, "metric_name": metric_name})
    return str(team_rows(rows, metric_name)), expected


@pytest.mark.parametrize("case", range(len(ROWS)))
def test_each_kind_of_row_is_the_bytes_the_template_gave(case):
    built, expected = render_both([ROWS[case]])
    assert built == expected


def test_a_whole_table_is_the_rows_in_order():
    built, expected = render_both(ROWS)
    assert built == expected and built.count('<tr role="row">') == len(ROWS)


def test_names_and_drivers_are_escaped():
    built, _ = render_both([ROWS[1], ROWS[14]])
    assert "<script>" not in built and "&lt;script&gt;" in built
    assert "a &lt;b&gt;; c&amp;d" in built


def test_an_id_that_needs_quoting_gets_the_url_reverse_gives():
    built, _ = render_both([row(employee_id="A 01")])
    assert f'href="{reverse("agent_detail", args=["A 01"])}"' in built
    assert 'href="/team/A%2001/"' in built


def test_dates_follow_the_active_language_even_when_cached():
    rows = [row(coached=date(2025, 3, 4)), row(coached=date(2025, 10, 1))]
    texts = []
    # Spanish and Portuguese share a date format and differ in month names, so a cached
    # date must be keyed by the language too, not only by the format.
    for language in ("es", "pt", "de", "en"):
        with translation.override(language):
            built, expected = render_both(rows)
        assert built == expected
        texts.append(built)
    assert len(set(texts)) == 4
