"""Playwright against Debian's chromium (never `playwright install`), on pytest-django's
live server. Each test logs in by copying a Django session cookie into the browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.access.world import build_world

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def browser():
    from playwright import sync_api

    if not Path(CHROMIUM).exists():  # fail, never skip: CI installs it
        pytest.fail("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM
    # refuses to run beside one unless told that this (test-only) use is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-gpu"])
        yield b
        b.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def page_as(browser, live_server, world):
    """page_as("lead") → a Playwright page logged in as that world user."""
    contexts = []

    def open_page(role: str):
        client = Client()
        client.force_login(world.users[role])
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core (served from static/vendor, no CDN) and list serious problems."""
    if not AXE.exists():
        pytest.fail("static/vendor/axe.min.js missing: run scripts/build-static")
    # By URL from our own static files: the CSP (script-src 'self') blocks inline scripts.
    origin = "/".join(page.url.split("/")[:3])
    page.add_script_tag(url=f"{origin}/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in impacts]
