"""A fellow writes a story, previews it and submits it; an editor approves it in the admin;
it appears on /stories/. Headless Chromium, as in test_browse.py.

People are signed in by handing the browser the session cookie of a test client that was
force-logged in: this test is about the editorial workflow, not the login pages.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from stories.models import Story
from tests.accounts.factories import UserFactory
from tests.e2e.browser import assert_page_is_sound, page_wait
from tests.fellows.factories import FellowFactory
from tests.organizations.factories import TopicFactory
from twinning.groups import EDITORS, staff_groups_sync

pytestmark = [pytest.mark.e2e]

TITLE = "Eight weeks by the Lancang river"


@pytest.fixture
def newsroom(transactional_db):
    """Anna Schmidt, a fellow with an account, and an editor."""
    staff_groups_sync()
    TopicFactory(name="Climate change", slug="climate-change")
    author = UserFactory(email="anna@twinning.example", name="Anna Schmidt")
    FellowFactory(name="Anna Schmidt", slug="anna-schmidt", user=author)
    editor = UserFactory(email="editor@twinning.example", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    return {"author": author, "editor": editor}


def sign_in(driver, live_server, user):
    client = Client()
    client.force_login(user)
    driver.delete_all_cookies()
    driver.get(live_server.url + "/robots.txt")  # a page of the site, to set its cookie
    driver.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "path": "/",
        }
    )


def test_a_fellows_story_goes_from_draft_to_the_site(browser, live_server, newsroom):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import Select

    wait = page_wait(browser)

    def click_and_wait(element, url_part):
        element.click()
        wait.until(until.url_contains(url_part))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def main_text():
        return browser.find_element(By.TAG_NAME, "main").text

    # The fellow writes and previews.
    sign_in(browser, live_server, newsroom["author"])
    browser.get(live_server.url + "/stories/write/")
    assert_page_is_sound(browser)
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    browser.find_element(By.NAME, "summary").send_keys("What a Bonn policy advisor learnt.")
    browser.find_element(By.NAME, "body").send_keys(
        "## Arriving\n\nWe met the *river communities* first."
    )
    browser.find_element(By.XPATH, "//label[normalize-space()='Climate change']").click()
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "button[value=preview]"), "/preview/")
    assert_page_is_sound(browser)
    assert "Preview — not published" in main_text()
    assert browser.find_element(By.TAG_NAME, "h1").text == TITLE
    assert browser.find_element(By.CSS_SELECTOR, ".prose em").text == "river communities"

    # Back to the draft, and submitted for review.
    story = Story.objects.get(title=TITLE)
    click_and_wait(browser.find_element(By.LINK_TEXT, "Back to editing"), "/edit/")
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "button[value=submit]"), "/mine/")
    assert_page_is_sound(browser)
    assert "With the editors" in main_text()
    assert Story.objects.get(pk=story.pk).status == Story.Status.REVIEW

    # Not on the public site yet.
    browser.get(live_server.url + "/stories/")
    assert TITLE not in main_text()

    # The editor approves it in the admin.
    sign_in(browser, live_server, newsroom["editor"])
    browser.get(live_server.url + "/admin/stories/story/?status__exact=review")
    browser.find_element(
        By.CSS_SELECTOR, f"input[name=_selected_action][value='{story.pk}']"
    ).click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("approve_and_publish")
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    wait.until(until.text_to_be_present_in_element((By.ID, "main"), "approved and published"))

    # It is on the site, for everyone.
    browser.delete_all_cookies()
    browser.get(live_server.url + "/stories/")
    assert_page_is_sound(browser)
    link = browser.find_element(By.LINK_TEXT, TITLE)
    click_and_wait(link, story.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == TITLE
    assert "Preview" not in main_text()
