"""Every named route of the project has a row in an access table: the API routes in
tests/access/api_table.py, the portal routes in tests/access/portal_table.py."""

from __future__ import annotations

import importlib

from django.urls import URLPattern, URLResolver, get_resolver

from tests.access.api_table import API_ROWS

# Django's own admin guards itself (staff only) and is not part of the product's roles.
EXEMPT_NAMESPACES = {"admin"}


def named_routes(resolver=None, prefix: str = "", namespace: str | None = None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from named_routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name


def portal_rows():
    try:
        return importlib.import_module("tests.access.portal_table").PORTAL_ROWS
    except ModuleNotFoundError:
        return None


def test_every_api_route_has_a_row_in_the_api_table():
    covered = {row.name for row in API_ROWS}
    missing = sorted({name for route, name in named_routes()
                      if route.startswith(("api/", "^api/")) and name not in covered})
    assert not missing, f"API routes with no access row: {missing}"


def test_every_other_route_has_a_row_in_the_portal_table():
    rows = portal_rows()
    covered = {row[0] for row in rows or []} | {row.name for row in API_ROWS}
    routes = {name for route, name in named_routes() if not route.startswith("api/")}
    if rows is None:  # the portal table is not written yet: only the API is checked
        return
    missing = sorted(routes - covered)
    assert not missing, f"Routes with no access row: {missing}"


def test_the_tables_name_no_route_that_does_not_exist():
    names = {name for _, name in named_routes()}
    stale = sorted({row.name for row in API_ROWS} - names)
    assert not stale, f"Rows for routes that no longer exist: {stale}"
