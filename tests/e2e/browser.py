"""What every browser test shares: how long to wait, a wait that rides out page changes, and
the checks that a page loaded soundly."""

from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.support.ui import WebDriverWait

WAIT_SECONDS = 15
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")

# Between a click and the next page, an element found may belong to the page going away.
# Chromium says so in one of these ways, depending on when in the navigation it is asked.
PAGE_CHANGE_MESSAGES = (
    "does not belong to the document",
    "Cannot find context with specified id",
    "Execution context was destroyed",
)


def during_page_change(error):
    """Whether a WebDriver error only means the page was being replaced."""
    if isinstance(error, (NoSuchElementException, StaleElementReferenceException)):
        return True
    return any(message in (error.msg or "") for message in PAGE_CHANGE_MESSAGES)


class PageWait(WebDriverWait):
    """A WebDriverWait whose conditions are asked again, not failed, while the page changes."""

    def until(self, method, message=""):
        def settled(driver):
            try:
                return method(driver)
            except WebDriverException as error:
                if during_page_change(error):
                    return False
                raise

        return super().until(settled, message)


def page_wait(driver, seconds=WAIT_SECONDS):
    return PageWait(driver, seconds)


def read_console(driver):
    """Browser console entries since the last call (Chromium hands each out once)."""
    entries = driver.get_log("browser")
    driver.console.extend(entries)
    return entries


def assert_page_is_sound(driver):
    """No CSP violation in the console, stylesheets loaded, and no broken image."""
    read_console(driver)
    violations = [
        entry["message"]
        for entry in driver.console
        if any(marker in entry["message"] for marker in CSP_MARKERS)
    ]
    assert violations == [], violations
    unloaded_styles = driver.execute_script(
        "return [...document.querySelectorAll('link[rel=stylesheet]')]"
        ".filter(link => !link.sheet).map(link => link.href)"
    )
    assert unloaded_styles == [], unloaded_styles
    broken_images = driver.execute_script(
        "return [...document.images]"
        ".filter(img => img.complete && img.naturalWidth === 0).map(img => img.src)"
    )
    assert broken_images == [], broken_images
