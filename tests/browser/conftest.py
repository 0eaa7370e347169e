"""Browser tests: Playwright's Python API drives Debian's chromium against a real server.

The server is the real WSGI app (werkzeug ``make_server`` in a thread on 127.0.0.1) over a temp
SQLite store with every process deployed and the demo users seeded. Without playwright,
chromium or the built assets (``make install``) the tests skip with the reason; under
``CI=true`` they fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from alur.bootstrap import DEMO_PASSWORD, Services, bootstrap, deploy_all, seed_demo_users
from alur.config import PROJECT_ROOT, Config
from api.app import create_app

CHROMIUM = Path(os.environ.get("ALUR_TEST_CHROMIUM", "/usr/bin/chromium"))
ASSETS = PROJECT_ROOT / "api" / "static" / "vendor" / ".built"
SCREENSHOTS = Path(__file__).parent / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _missing() -> str:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install playwright)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not ASSETS.exists():
        return "browser assets are not built (make install runs npm ci && npm run build)"
    return ""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (under CI=true the browser tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield launched
        launched.close()


@dataclass
class Server:
    url: str
    services: Services


@pytest.fixture
def server(browser: Any, tmp_path: Path) -> Iterator[Server]:
    """A real HTTP server over a fresh SQLite store (every process, demo users)."""
    services = bootstrap(Config(data_dir=tmp_path, secret_key="browser-test-secret"))
    deploy_all(services)
    seed_demo_users(services)
    services.projections.catch_up()
    services.projections.start(interval=0.1)
    app = create_app(services)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{http.server_port}", services)
    http.shutdown()
    thread.join(timeout=5)
    services.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID",
                                  timezone_id="Asia/Makassar", base_url=server.url)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    refused: list[str] = []  # Chromium reports each CSP violation on the console
    opened.on("console", lambda message: refused.append(message.text)
              if "Content Security Policy" in message.text else None)
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not refused, f"Content-Security-Policy violations: {refused}"


def shot(page: Any, name: str, full_page: bool = True) -> None:
    """A screenshot of a main page, for people to look at (tests/browser/screenshots/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the page (a fresh session each time)."""
    page.context.clear_cookies()
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/kotak-masuk")


def fill_form(page: Any, form: dict[str, Any], document: Path) -> None:
    """Fill the task page's inputs for every required field of ``form`` as a person would:
    text typed, a date picked, the first official chosen, one list row, the document
    attached (``document``), Rupiah written with separators."""
    required = set(form.get("required") or [])
    for name, spec in (form.get("properties") or {}).items():
        if name not in required or "enum" in spec:
            continue  # decisions are the test's own business
        widget, kind = spec.get("x-alur-widget"), spec.get("type")
        if name == "lampiran":
            page.locator("#isian-lampiran").set_input_files(str(document))
        elif widget == "user":
            page.locator(f"#isian-{name}").select_option(index=1)
        elif widget == "money":
            page.locator(f"#isian-{name}").fill("Rp 1.250.000")
        elif kind == "array":
            suffix = ".nama" if (spec.get("items") or {}).get("type") == "object" else ""
            page.locator(f"[name='{name}{suffix}']").first.fill(f"Isian {name}")
        elif spec.get("format") == "date":
            page.locator(f"#isian-{name}").fill("2025-01-09")
        elif spec.get("format") == "date-time":
            page.locator(f"#isian-{name}").fill("2025-01-09T10:30")
        elif kind == "integer":
            page.locator(f"#isian-{name}").fill(str(max(1, spec.get("minimum", 1))))
        else:
            page.locator(f"#isian-{name}").fill(f"Isian {name}")
