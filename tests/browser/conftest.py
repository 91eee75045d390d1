"""The real app, served by uvicorn on a free local port, over a SQLite file holding the demo
workspace (analysed, as `ecoute demo` loads it), driven by Debian's headless Chromium through
Playwright. Skipped, with the reason, only when no Chromium is installed."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import demo_world
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.web.app import create_app
from ecoute.web.pages import presence as presence_page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

if CHROMIUM is None:
    pytest.skip("no Chromium on this machine (apt install chromium); CI installs it", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e .[test])"
)


class Live:
    """The running app: its address, its database and the demo people."""

    def __init__(self, url: str, db: Database, team: demo_world.World):
        self.url = url
        self.db = db
        self.world = team

    def at(self, path: str) -> str:
        return self.url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn

    folder = tmp_path_factory.mktemp("browser-data")
    os.environ["ECOUTE_DATA_DIR"] = str(folder)
    seed = os.environ.get("ECOUTE_BROWSER_SEED")  # an `ecoute demo` database, to skip loading it again
    if seed:
        shutil.copy(seed, folder / "ecoute.db")
    db = Database.open(f"sqlite:///{folder / 'ecoute.db'}")
    team = demo_world.staff(db, demo_world.demo_workspace(db)) if seed else demo_world.build(db)
    settings = Settings({"data_dir": str(folder), "secret_key": "browser-tests"})
    presence_page.HEARTBEAT_SECONDS = 1  # the pages beat every second, so a test waits a second, not ten
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db, settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", db, team)
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser, live: Live) -> Iterator[Callable[..., object]]:
    """``open_as(email, password, locale="en")``: a new browser context, logged in through the form
    (``javascript=False``: with scripts off, as some people browse)."""
    contexts = []

    def make(
        email: str | None = None,
        password: str | None = None,
        locale: str = "en",
        viewport=LAPTOP,
        javascript: bool = True,
    ):
        context = browser.new_context(
            viewport=viewport, locale=locale, device_scale_factor=1, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        page.goto(live.at("/login"))
        page.fill("input[name=email]", email or live.world.owner_email)
        page.fill("input[name=password]", password or live.world.owner_password)
        page.click("button[type=submit]")
        page.wait_for_url("**/w/**")
        if page.locator("html").get_attribute("lang") != locale:  # a choice saved by an earlier test
            page.get_by_role("button", name=locale.upper(), exact=True).click()
            page.wait_for_selector(f"html[lang={locale}]")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_as):
    return open_as()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the suite leaves its screenshots (ECOUTE_SCREENSHOTS to keep them somewhere)."""
    wanted = os.environ.get("ECOUTE_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
