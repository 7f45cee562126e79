"""The rows of a lead's team table, built in Python.

Through the template engine the 50 rows of a full team cost about a quarter of the page's
CPU (some 20 variables, tags and filters per row at several microseconds each), and
`format_html` per cell is not much cheaper. Here a row is one f-string; every value from
the database or computed from it goes through `escape` (the standard library's
`html.escape`, which Django's autoescaping applies too), so the output is the bytes the
template gave (tests/portal/test_team_table.py). The table's frame, caption and empty
state stay in portal/_team_table.html.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from datetime import date
from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lnd.selectors.portal_team import AgentRow

register = template.Library()

SPARKLINE = ('<svg class="spark" width="80" height="20" viewBox="0 0 80 20" aria-hidden="true"'
             ' focusable="false"><polyline points="{}" fill="none" stroke="#0b3d5c"'
             ' stroke-width="1.5"/></svg> ')


# Ids that need no quoting in a path and hold no "/": their detail URL is the same
# pattern with the id put in, without a `reverse` (~15 µs) per row.
PLAIN_ID = re.compile(r"[A-Za-z0-9_.~-]+")
ID_SLOT = "employee-id-slot"


class _Page:
    """What every row of one page shares: the label, the active language and its date
    format, the URL pattern (each looked up once, not per row)."""

    def __init__(self, metric_name: str) -> None:
        self.label = escape(metric_name)
        self.language, self.date_format = get_language(), get_format("DATE_FORMAT")
        self.url_head, self.url_tail = reverse("agent_detail", args=[ID_SLOT]).split(ID_SLOT)
        self._seen: dict[tuple[Callable, Hashable], str] = {}

    def url(self, employee_id: str) -> str:
        if PLAIN_ID.fullmatch(employee_id):
            return escape(self.url_head + employee_id + self.url_tail)
        return escape(reverse("agent_detail", args=[employee_id]))

    def text(self, fn: Callable, value: Hashable) -> str:
        """fn(value) escaped, once per distinct value (counts and dates repeat)."""
        key = (fn, value)
        if key not in self._seen:
            self._seen[key] = escape(str(fn(value)))
        return self._seen[key]

    def day(self, value: date) -> str:
        return _day(value, self.date_format, self.language)


@lru_cache(maxsize=4096)
def _day(value: date, date_format: str, language: str | None) -> str:
    """A date as the `date` filter writes it; the text depends only on these three (month
    names are translated), and a team's last-coaching dates are mostly distinct per page
    but the same from one request to the next."""
    return dateformat.format(value, date_format)


@register.simple_tag
def team_rows(rows: list[AgentRow], metric_name: str) -> SafeString:
    page = _Page(metric_name)
    return mark_safe("".join(_row(r, page) for r in rows))


def _row(r: AgentRow, page: _Page) -> str:
    e = r.employee
    role = escape(e.role_name or "—")
    coached = page.text(page.day, r.last_coaching) if r.last_coaching else "never"
    overdue = f'<span class="badge bad">{page.text(localize, r.overdue)}</span>' \
        if r.overdue else "0"
    return f"""<tr role="row">
    <th scope="row" role="rowheader"><a href="{page.url(e.employee_id)}">{escape(e.name)}</a></th>
    <td role="cell" data-label="Role">{role}</td>
    <td role="cell" class="kpi" data-label="{page.label} trend"><div>{_kpi(r)}</div></td>
    <td role="cell" data-label="Last coaching">{coached}</td>
    <td role="cell" data-label="Open recommendations">{page.text(localize, r.open_recs)}</td>
    <td role="cell" data-label="Overdue mandatory">{overdue}</td>
    <td role="cell" data-label="Risk (90 days)"><div>{_risk(r, page)}</div></td>
  </tr>"""


def _kpi(r: AgentRow) -> str:
    if r.hidden:
        return '<span class="muted">hidden at this site</span>'
    if not r.kpi_text:
        return "—"
    line = SPARKLINE.format(escape(r.sparkline)) if r.sparkline else ""
    return line + escape(r.kpi_text)


def _risk(r: AgentRow, page: _Page) -> str:
    if r.hidden:
        return '<span class="muted">hidden</span>'
    if not r.risk:
        return "—"
    drivers = f'<span class="muted">{escape(r.risk_drivers_text)}</span>' \
        if r.risk_drivers_text else ""
    percent = page.text(localize, r.risk_percent)
    return f'<span class="badge {escape(r.risk_level)}">{percent}%</span>\n      {drivers}'
