"""A fellow's journey in headless Chromium, through the real sign-in page: she signs in,
edits her profile (biography, photo, and who sees her name and photo), writes a story and
submits it; an editor signs in, approves it in the admin; it appears on the site, naming her.

Unlike test_editorial.py, nobody is handed a session cookie: everyone signs in with their
email address and password on /accounts/login/ (django-allauth), as people do.
"""

import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from fellows.models import Fellow
from fellows.visibility import Audience
from stories.models import Story
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.browser import assert_page_is_sound, page_wait
from tests.fellows.factories import FellowFactory
from tests.organizations.factories import TopicFactory
from twinning.groups import EDITORS, staff_groups_sync

pytestmark = [pytest.mark.e2e]

TITLE = "Eight weeks by the Lancang river"
BIOGRAPHY = "Policy advisor in Bonn; in 2016 I spent eight weeks with Green Watershed."
SAVED = "Your profile is saved, with your choices of who sees what."


@pytest.fixture
def journey(transactional_db, settings):
    """Anna Schmidt, a fellow with an account who has not chosen yet who sees her name (the
    public sees "A. S."), and an editor. Both have a confirmed address, as allauth requires
    before it lets anyone sign in. A cache of its own, so that no rate-limit count or cached
    page carries over from another test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-fellow-journey-{uuid.uuid4()}",
        }
    }
    staff_groups_sync()
    TopicFactory(name="Climate change", slug="climate-change")
    anna = UserFactory(email="anna@twinning.example", name="Anna Schmidt")
    editor = UserFactory(email="editor@twinning.example", name="Eva Editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    for user in (anna, editor):
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    fellow = FellowFactory(
        name="Anna Schmidt",
        slug="anna-schmidt",
        user=anna,
        without_consent=True,
        biography="An old biography.",
    )
    return {"anna": anna, "editor": editor, "fellow": fellow}


@pytest.fixture
def portrait(tmp_path):
    """A small JPEG, as a phone would upload it."""
    from PIL import Image

    path = tmp_path / "anna.jpg"
    Image.new("RGB", (400, 400), (46, 125, 50)).save(path, "JPEG", quality=85)
    return path


def test_a_fellow_edits_her_profile_and_her_story_reaches_the_site(
    browser, live_server, journey, portrait
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import Select

    wait = page_wait(browser)
    fellow = journey["fellow"]

    def loaded():
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def click_and_wait(element, url_part):
        element.click()
        wait.until(until.url_contains(url_part))
        loaded()

    def heading():
        return browser.find_element(By.TAG_NAME, "h1").text.strip()

    def main_text():
        return browser.find_element(By.TAG_NAME, "main").text

    def sign_in(user, then):
        """On the sign-in page (where the browser is), then wait for the page it leads to."""
        wait.until(until.url_contains("/accounts/login/"))
        loaded()
        assert heading() == "Sign in"
        assert_page_is_sound(browser)
        form = browser.find_element(By.CSS_SELECTOR, "form.account-form")
        form.find_element(By.NAME, "login").send_keys(user.email)
        form.find_element(By.NAME, "password").send_keys(PASSWORD)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(until.url_to_be(live_server.url + then))
        loaded()

    def sign_out():
        browser.delete_all_cookies()

    # Before: the public sees her initials, at a numbered address, and no photo.
    browser.get(live_server.url + fellow.get_absolute_url())
    assert fellow.get_absolute_url() == f"/fellows/profile-{fellow.pk}/"
    assert heading() == "A. S."
    assert "Anna Schmidt" not in browser.page_source
    assert_page_is_sound(browser)

    # She signs in on the sign-in page and lands on her account page.
    browser.get(live_server.url + "/accounts/login/")
    sign_in(journey["anna"], then="/accounts/")
    assert heading() == "Your account"
    assert_page_is_sound(browser)
    assert "Signed in as anna@twinning.example" in main_text()

    # Account page → "Edit your profile".
    click_and_wait(browser.find_element(By.LINK_TEXT, "Edit your profile"), fellow.edit_url())
    assert heading() == "Your profile"
    assert_page_is_sound(browser)

    # The form: a new biography, her name and photo for everyone, and a photo.
    form = browser.find_element(By.CSS_SELECTOR, "form.profile-form")
    biography = form.find_element(By.NAME, "biography")
    biography.clear()
    biography.send_keys(BIOGRAPHY)
    for legend in ("Your full name", "Your photo"):
        group = form.find_element(By.XPATH, f".//fieldset[legend[normalize-space()='{legend}']]")
        group.find_element(By.XPATH, ".//label[normalize-space()='Everyone']").click()
    assert form.find_element(
        By.CSS_SELECTOR, f"input[name=name_visibility][value='{Audience.PUBLIC.value}']"
    ).is_selected()
    assert form.find_element(
        By.CSS_SELECTOR, f"input[name=photo_visibility][value='{Audience.PUBLIC.value}']"
    ).is_selected()
    form.find_element(By.CSS_SELECTOR, "input[name=photo]").send_keys(str(portrait))
    form.find_element(By.XPATH, ".//button[normalize-space()='Save and confirm']").click()
    wait.until(until.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), SAVED))
    loaded()
    assert browser.current_url == live_server.url + fellow.edit_url()
    assert_page_is_sound(browser)
    saved = Fellow.objects.get(pk=fellow.pk)
    assert saved.biography == BIOGRAPHY
    assert saved.name_visibility == Audience.PUBLIC
    assert saved.photo_visibility == Audience.PUBLIC
    assert saved.photo
    assert saved.consent_recorded_at is not None
    # Untouched choices stay as they were: staff only.
    assert saved.organization_visibility == Audience.STAFF

    # Signed out, anyone now sees her name, the new biography and the photo.
    sign_out()
    public_url = saved.get_absolute_url()
    assert public_url == "/fellows/anna-schmidt/"
    browser.get(live_server.url + public_url)
    loaded()
    assert heading() == "Anna Schmidt"
    assert BIOGRAPHY in main_text()
    photo = browser.find_element(By.CSS_SELECTOR, "main img.avatar-lg")
    assert "/media/renditions/" in photo.get_attribute("currentSrc")
    wait.until(
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", photo
        )
    )
    assert_page_is_sound(browser)

    # Signed in again (the writing page sends her to sign in first), she writes a story
    # and submits it.
    browser.get(live_server.url + "/stories/write/")
    sign_in(journey["anna"], then="/stories/write/")
    assert_page_is_sound(browser)
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    browser.find_element(By.NAME, "summary").send_keys("What a Bonn policy advisor learnt.")
    browser.find_element(By.NAME, "body").send_keys(
        "## Arriving\n\nWe met the *river communities* first."
    )
    browser.find_element(By.XPATH, "//label[normalize-space()='Climate change']").click()
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "button[value=submit]"), "/mine/")
    assert_page_is_sound(browser)
    assert "With the editors" in main_text()
    story = Story.objects.get(title=TITLE)
    assert story.status == Story.Status.REVIEW
    assert list(story.fellows.all()) == [fellow]

    # Not on the public site yet.
    sign_out()
    browser.get(live_server.url + "/stories/")
    assert TITLE not in main_text()

    # The editor opens the admin's review list; the admin sends her to the same sign-in
    # page, which brings her back to the list.
    review_list = "/admin/stories/story/?status__exact=review"
    browser.get(live_server.url + review_list)
    sign_in(journey["editor"], then=review_list)
    browser.find_element(
        By.CSS_SELECTOR, f"input[name=_selected_action][value='{story.pk}']"
    ).click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("approve_and_publish")
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    wait.until(until.text_to_be_present_in_element((By.ID, "main"), "approved and published"))
    assert Story.objects.get(pk=story.pk).status == Story.Status.PUBLISHED

    # On the site, for everyone, with her name among its fellows.
    sign_out()
    browser.get(live_server.url + "/stories/")
    assert_page_is_sound(browser)
    click_and_wait(browser.find_element(By.LINK_TEXT, TITLE), story.get_absolute_url())
    assert heading() == TITLE
    assert "Preview" not in main_text()
    assert_page_is_sound(browser)
    her_link = browser.find_element(By.CSS_SELECTOR, f"main a[href='{public_url}']")
    assert her_link.text == "Anna Schmidt"
    click_and_wait(her_link, public_url)
    assert heading() == "Anna Schmidt"
    assert_page_is_sound(browser)
