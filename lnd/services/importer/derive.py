"""Weekly metrics derived from sampled interactions where performance.csv has none.

Reported values always win. Derivation is idempotent: for every agent-week touched by an
import it recomputes the derived values, updates those that moved and removes derived
values whose interactions no longer support them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Case, FloatField, When

from lnd import models as m

from .writers import BATCH, chunks

# metric code -> aggregate over that agent-week's interactions
DERIVABLE = {
    "aht_seconds": Avg("handle_seconds"),
    "fcr_rate": Avg(Case(When(resolved=True, then=1.0), When(resolved=False, then=0.0),
                         output_field=FloatField())),
    "csat": Avg("csat"),
    "customer_sentiment": Avg("customer_sentiment"),
}


@dataclass
class Derived:
    values: int = 0  # agent-week-metric values considered
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def derive_weekly(weeks: Iterable[tuple[int, date]]) -> Derived:
    """weeks: (employee pk, Monday) pairs touched by this import."""
    result = Derived()
    metrics = dict(m.Metric.objects.filter(code__in=DERIVABLE).values_list("code", "pk"))
    by_employee: dict[int, set[date]] = {}
    for employee, monday in weeks:
        by_employee.setdefault(employee, set()).add(monday)
    if not metrics or not by_employee:
        return result
    aggregates = {code: DERIVABLE[code] for code in metrics}
    to_write: list[m.WeeklyPerformance] = []
    to_remove: list[int] = []
    for part in chunks(sorted(by_employee)):
        wanted = {(e, w) for e in part for w in by_employee[e]}
        span = (min(w for _, w in wanted), max(w for _, w in wanted))
        computed = {}
        for row in (m.Interaction.objects.filter(employee_id__in=part, period_start__range=span)
                    .values("employee_id", "period_start").annotate(**aggregates)):
            week = (row["employee_id"], row["period_start"])
            if week in wanted:
                for code, pk in metrics.items():
                    computed[(*week, pk)] = row[code]
        stored = {(e, w, mt): (pk, value, source) for pk, e, w, mt, value, source in
                  m.WeeklyPerformance.objects.filter(
                      employee_id__in=part, metric_id__in=metrics.values(),
                      period_start__range=span)
                  .values_list("pk", "employee_id", "period_start", "metric_id", "value",
                               "source")}
        for employee, week in sorted(wanted):
            for pk in metrics.values():
                key = (employee, week, pk)
                value = computed.get(key)
                pk_value_source = stored.get(key)
                if pk_value_source and pk_value_source[2] == "reported":
                    continue
                if value is None:
                    if pk_value_source:
                        to_remove.append(pk_value_source[0])
                    continue
                result.values += 1
                if pk_value_source is None:
                    result.created += 1
                elif pk_value_source[1] == value:
                    result.unchanged += 1
                    continue
                else:
                    result.updated += 1
                to_write.append(m.WeeklyPerformance(
                    employee_id=employee, period_start=week, metric_id=pk, value=value,
                    source="derived"))
    for part in chunks(to_write, BATCH):
        m.WeeklyPerformance.objects.bulk_create(
            part, update_conflicts=True,
            unique_fields=["employee_id", "period_start", "metric_id"],
            update_fields=["value", "source"])
    for part in chunks(to_remove):
        m.WeeklyPerformance.objects.filter(pk__in=part, source="derived").delete()
    result.removed = len(to_remove)
    return result
