"""INSERT many rows without building model instances.

`bulk_create` spends most of its time at 50k rows on model instances and per-value
preparation, not in the database. Batch scoring writes rows whose values are already in
database form (ids, floats, bools, strings), so it inserts them with one `executemany`
per batch. Other kinds of field (JSON, dates and times, decimals) are prepared by the
field itself, per backend: SQLite compares stored datetimes as text, so they must be
written exactly as Django writes them. JSON goes straight to the backend's adapter, as the
field would send it (tests/test_bulk_insert.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField, Model

# Values of these kinds are passed to the driver as they are.
AS_IS = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
         "FloatField", "ForeignKey", "IntegerField", "PositiveIntegerField",
         "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}


def insert_many(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence], *,
                batch_size: int = 5000) -> int:
    """Insert `rows` (tuples in `fields` order; foreign keys as ids) into `model`'s table."""
    # This thread's connection itself, not the `connection` proxy: the proxy looks the
    # thread's connection up on every attribute read, half the cost of preparing a value.
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    prepare = {k: _preparer(f, connection) for k, f in enumerate(columns)
               if f.get_internal_type() not in AS_IS}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} "
           f"({', '.join(quote(f.column) for f in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            if prepare:  # column by column: one function per column, not per value
                values = list(zip(*batch, strict=True))
                for k, prep in prepare.items():
                    values[k] = map(prep, values[k])
                batch = list(zip(*values, strict=True))
            cursor.executemany(sql, batch)
    return len(rows)


def _preparer(field, connection) -> Callable[[object], object]:
    """One value of `field` in database form. A JSON value (lists and dicts here, never an
    expression) skips the field's checks for expressions: they cost as much as the
    encoding itself at 50k rows a chunk. None is SQL NULL, as the field stores it."""
    if isinstance(field, JSONField):
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        return lambda value: None if value is None else adapt(value, encoder)
    return lambda value: field.get_db_prep_save(value, connection)
