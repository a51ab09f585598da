"""A visitor follows a topic by email in headless Chromium: the Follow button, the form, the
confirmation link from the email, the preference page, and the one-button unsubscribe.

The live server runs in this process, so the emails it sends land in the locmem outbox that
the test reads; the tasks run in-process on commit (the autouse `_celery_eager` fixture)."""

import re
import uuid

import pytest
from django.core import mail

from subscriptions.models import Subscriber
from tests.e2e.browser import assert_page_is_sound, page_wait
from tests.organizations.factories import TopicFactory
from tests.stories.factories import StoryFactory

pytestmark = [pytest.mark.e2e]


CONFIRM_PATH = re.compile(r"https?://[^\s\"<>]*(/subscriptions/confirm/[^/\s\"<>]+/)")


@pytest.fixture
def climate(transactional_db, settings):
    """A topic with a story; a cache of its own, so that no rate-limit count carries over."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-{uuid.uuid4()}",
        }
    }
    topic = TopicFactory(name="Climate change", slug="climate-change")
    StoryFactory(title="Rivers and people", topics=[topic])
    return topic


def test_visitor_follows_a_topic_confirms_changes_and_unsubscribes(
    browser, live_server, mailoutbox, climate
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until

    wait = page_wait(browser)

    def heading():
        return browser.find_element(By.TAG_NAME, "h1").text.strip()

    def click_and_wait_for_heading(element, title):
        element.click()
        wait.until(lambda driver: heading() == title)
        assert_page_is_sound(browser)

    # The topic page → Follow.
    browser.get(live_server.url + climate.get_absolute_url())
    follow = browser.find_element(By.CSS_SELECTOR, "a[href='/subscribe/?topic=climate-change']")
    assert follow.text.startswith("Follow by email")
    # Screen readers hear which topic (the label starts with the visible words).
    assert follow.accessible_name.startswith("Follow by email")
    assert follow.accessible_name.endswith("Climate change")
    click_and_wait_for_heading(follow, "Subscribe")
    topic_box = browser.find_element(By.CSS_SELECTOR, f"input[name=topics][value='{climate.pk}']")
    assert topic_box.is_selected()

    # The form.
    browser.find_element(By.NAME, "email").send_keys("visitor@example.org")
    form = browser.find_element(By.CSS_SELECTOR, "form.subscription-form")
    assert "I would like to receive emails" in form.find_element(By.CSS_SELECTOR, ".consent").text
    click_and_wait_for_heading(
        form.find_element(By.CSS_SELECTOR, "button[type=submit]"), "Check your inbox"
    )
    subscriber = Subscriber.objects.get(email="visitor@example.org")
    assert subscriber.confirmed_at is None
    assert [message.to for message in mail.outbox] == [["visitor@example.org"]]

    # The confirmation link from the email: a page with a button, which confirms.
    path = CONFIRM_PATH.search(mail.outbox[0].body).group(1)
    browser.get(live_server.url + path)
    assert heading() == "Confirm your subscription"
    assert_page_is_sound(browser)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    confirm = browser.find_element(
        By.XPATH, "//button[normalize-space()='Confirm my subscription']"
    )
    click_and_wait_for_heading(confirm, "You are subscribed")
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert list(subscriber.topics.all()) == [climate]
    assert len(mail.outbox) == 2  # the welcome

    # The preference page: a weekly digest instead.
    click_and_wait_for_heading(
        browser.find_element(By.LINK_TEXT, "Open my preference page"), "Your subscription"
    )
    assert "confirmed since" in browser.find_element(By.CSS_SELECTOR, ".status-panel").text
    weekly = browser.find_element(By.CSS_SELECTOR, "input[name=frequency][value=weekly]")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{weekly.get_attribute('id')}']").click()
    assert weekly.is_selected()
    save = browser.find_element(By.XPATH, "//button[normalize-space()='Save my choices']")
    save.click()
    wait.until(until.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "Saved"))
    assert_page_is_sound(browser)
    subscriber.refresh_from_db()
    assert subscriber.frequency == Subscriber.Frequency.WEEKLY
    assert browser.find_element(
        By.CSS_SELECTOR, "input[name=frequency][value=weekly]"
    ).is_selected()

    # Unsubscribe: one button.
    leave = browser.find_element(By.XPATH, "//button[normalize-space()='Unsubscribe']")
    click_and_wait_for_heading(leave, "You are unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert not Subscriber.objects.confirmed().exists()
