import pytest

from tests.conftest import CHROMEDRIVER, CHROMIUM


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server starts after the test database exists; otherwise, when the browser
    tests run alone, its request threads open connections to a database that is not yet
    set up and never close them."""
    return live_server


@pytest.fixture
def browser(require_chromium, tmp_path, monkeypatch):
    """Debian's headless Chromium and chromedriver; no network, no Selenium Manager (the
    driver path is explicit)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Belt and braces: Selenium Manager must never try the network.
    monkeypatch.setenv("SE_OFFLINE", "true")
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.console = []
    try:
        yield driver
    finally:
        driver.quit()
