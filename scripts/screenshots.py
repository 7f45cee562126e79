"""Screenshot every main page for each role on the demo data (`make demo` first).

Starts its own gunicorn on a free port against the configured database, logs in through
the log-in page as agent, lead, ld and admin (DEMO_PASSWORD or var/demo_password), and
writes screenshots/<role>-<page>.png at laptop and phone widths. Uses Debian's chromium.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screenshots"
PAGES = {
    "agent": ["/", "/paths/"],
    "lead": ["/", "/team/", "/coaching/", "/paths/"],
    "ld": ["/", "/catalogue/", "/catalogue/paths/", "/catalogue/metrics/",
           "/catalogue/history/", "/data/", "/models/", "/reports/"],
    "admin": ["/", "/models/", "/reports/"],
}
VIEWPORTS = {"laptop": (1366, 900), "phone": (390, 844)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    from lnd.loadtest import gunicorn_server

    password = os.environ.get("DEMO_PASSWORD") or (ROOT / "var" / "demo_password").read_text()
    OUT.mkdir(exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with gunicorn_server(env=env, workers=2) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-background-networking",
            "--disable-component-update", "--disable-gpu"])
        for role, pages in PAGES.items():
            for view, (width, height) in VIEWPORTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", role)
                page.fill("#id_password", password.strip())
                page.click("button[type=submit]")
                for url in pages:
                    page.goto(base + url)
                    page.wait_for_load_state("networkidle")
                    name = url.strip("/").replace("/", "-") or "home"
                    target = OUT / f"{role}-{name}-{view}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
