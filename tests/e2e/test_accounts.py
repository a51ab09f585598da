"""A visitor creates an account in headless Chromium: the top bar's "Sign in", the sign-up
form, the confirmation link from the email, the account page, and signing out.

The live server runs in this process, so the emails it sends land in the locmem outbox that
the test reads."""

import re
import uuid

import pytest
from django.core import mail

from tests.e2e.browser import assert_page_is_sound, page_wait

pytestmark = [pytest.mark.e2e]


CONFIRM_PATH = re.compile(r"https?://[^\s\"<>]*(/accounts/confirm-email/[^/\s\"<>]+/)")
PASSWORD = "rivers-and-mountains-2027"


@pytest.fixture
def site(transactional_db, settings):
    """A cache of its own, so that no rate-limit count carries over."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-accounts-{uuid.uuid4()}",
        }
    }


def test_visitor_signs_up_confirms_by_email_and_signs_out(browser, live_server, site):
    from selenium.webdriver.common.by import By

    wait = page_wait(browser)

    def heading():
        return browser.find_element(By.TAG_NAME, "h1").text.strip()

    def click_and_wait_for_heading(element, title):
        element.click()
        wait.until(lambda driver: heading() == title)
        assert_page_is_sound(browser)

    def top_bar_link():
        return browser.find_element(By.CSS_SELECTOR, ".topbar a.topbar-account")

    # The home page's top bar → Sign in → Create an account.
    browser.get(live_server.url + "/")
    assert top_bar_link().text == "Sign in"
    click_and_wait_for_heading(top_bar_link(), "Sign in")
    click_and_wait_for_heading(
        browser.find_element(By.LINK_TEXT, "Create an account"), "Create an account"
    )

    # The form: labelled fields, the email and the password twice.
    form = browser.find_element(By.CSS_SELECTOR, "form.account-form")
    for label, value in [
        ("Email", "visitor@example.org"),
        ("Password", PASSWORD),
        ("Password (again)", PASSWORD),
    ]:
        label_element = form.find_element(By.XPATH, f".//label[normalize-space()='{label}']")
        field = browser.find_element(By.ID, label_element.get_attribute("for"))
        field.send_keys(value)
    click_and_wait_for_heading(
        form.find_element(By.CSS_SELECTOR, "button[type=submit]"), "Check your inbox"
    )
    assert top_bar_link().text == "Sign in", "not signed in before confirming"
    [message] = mail.outbox
    assert message.to == ["visitor@example.org"]

    # The link from the email: a page with a button, which confirms, signs in and goes back
    # to the page where "Sign in" was clicked.
    browser.get(live_server.url + CONFIRM_PATH.search(message.body).group(1))
    assert heading() == "Confirm your email address"
    assert_page_is_sound(browser)
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirm my address']").click()
    wait.until(lambda driver: top_bar_link().text == "Your account")
    assert_page_is_sound(browser)
    assert browser.current_url == live_server.url + "/"
    assert (
        "You have confirmed visitor@example.org"
        in browser.find_element(By.CSS_SELECTOR, ".messages").text
    )

    # The account page.
    click_and_wait_for_heading(top_bar_link(), "Your account")
    assert (
        "Signed in as visitor@example.org" in browser.find_element(By.CSS_SELECTOR, ".lead").text
    )

    # Sign out: a button on the account page.
    sign_out = browser.find_element(By.XPATH, "//button[normalize-space()='Sign out']")
    sign_out.click()
    wait.until(lambda driver: top_bar_link().text == "Sign in")
    assert_page_is_sound(browser)
    assert browser.current_url == live_server.url + "/"
