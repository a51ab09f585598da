"""A visitor browses the site in headless Chromium: home → fellows → a round → a profile →
its organisation → a story."""

import pytest

from tests.e2e.browser import assert_page_is_sound, page_wait
from tests.fellows.factories import FellowFactory
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    ExchangeRoundFactory,
    PairingFactory,
    TopicFactory,
)
from tests.stories.factories import StoryFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def programme(transactional_db):
    """Two rounds; in 2016 Anna Schmidt of Germanwatch, whose organisation has a story."""
    climate = TopicFactory(name="Climate change", slug="climate-change")
    germanwatch = EuropeanOrganizationFactory(
        name="Germanwatch", slug="germanwatch", country="DE", topics=[climate]
    )
    pairing_2016 = PairingFactory(
        round=ExchangeRoundFactory(year=2016, theme="Climate and civil society"),
        european_organization=germanwatch,
        chinese_organization=ChineseOrganizationFactory(
            name="Green Watershed", slug="green-watershed", province="Yunnan"
        ),
        topic=climate,
    )
    pairing_2014 = PairingFactory(round=ExchangeRoundFactory(year=2014))
    anna = FellowFactory(name="Anna Schmidt", slug="anna-schmidt", pairing=pairing_2016)
    FellowFactory(name="Marie Dubois", slug="marie-dubois", pairing=pairing_2014)
    story = StoryFactory(
        title="What Germanwatch learnt in Kunming",
        slug="what-germanwatch-learnt-in-kunming",
        kind="fellow-story",
        round=pairing_2016.round,
        topics=[climate],
        fellows=[anna],
        organizations=[germanwatch],
    )
    return {"fellow": anna, "organization": germanwatch, "story": story}


def test_visitor_walks_from_home_to_a_story(browser, live_server, programme):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import Select

    wait = page_wait(browser)

    def click_and_wait(element, url_part):
        element.click()
        wait.until(until.url_contains(url_part))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert_page_is_sound(browser)

    browser.get(live_server.url + "/")
    assert "Twinning" in browser.title
    assert_page_is_sound(browser)

    # Home → "Fellows" in the navigation.
    nav_link = browser.find_element(By.CSS_SELECTOR, "nav a[href='/fellows/']")
    assert nav_link.text.strip() == "Fellows"
    click_and_wait(nav_link, "/fellows/")
    assert "Marie Dubois" in browser.page_source

    # Pick the 2016 round in the filter form and submit it.
    round_select = browser.find_element(By.NAME, "round")
    Select(round_select).select_by_value("2016")
    form = round_select.find_element(By.XPATH, "./ancestor::form")
    click_and_wait(form.find_element(By.CSS_SELECTOR, "[type=submit]"), "round=2016")
    main = browser.find_element(By.TAG_NAME, "main")
    assert "Anna Schmidt" in main.text
    assert "Marie Dubois" not in main.text

    # A profile.
    click_and_wait(
        main.find_element(By.CSS_SELECTOR, f"a[href='{programme['fellow'].get_absolute_url()}']"),
        "/fellows/anna-schmidt/",
    )
    assert "Anna Schmidt" in browser.find_element(By.TAG_NAME, "h1").text

    # Their organisation.
    organization_url = programme["organization"].get_absolute_url()
    main = browser.find_element(By.TAG_NAME, "main")
    link = main.find_element(By.CSS_SELECTOR, f"a[href='{organization_url}']")
    click_and_wait(link, organization_url)
    assert "Germanwatch" in browser.find_element(By.TAG_NAME, "h1").text

    # A story about it.
    story_url = programme["story"].get_absolute_url()
    main = browser.find_element(By.TAG_NAME, "main")
    click_and_wait(main.find_element(By.CSS_SELECTOR, f"a[href='{story_url}']"), story_url)
    assert browser.find_element(By.TAG_NAME, "h1").text.strip() == (
        "What Germanwatch learnt in Kunming"
    )


def test_language_switch_in_the_browser(browser, live_server, transactional_db):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(live_server.url + "/fellows/")
    switch = browser.find_element(By.CSS_SELECTOR, "form[action='/i18n/setlang/']")
    Select(switch.find_element(By.NAME, "language")).select_by_value("zh-hans")
    switch.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    # The form posts, then redirects back to the same page, now in Chinese.
    page_wait(browser).until(
        lambda driver: (
            driver.execute_script("return document.readyState") == "complete"
            and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
        )
    )
    assert browser.current_url == live_server.url + "/fellows/"
    assert "交流伙伴" in browser.find_element(By.CSS_SELECTOR, "nav").text
    assert_page_is_sound(browser)


def test_phone_visitor_uses_the_menu_and_never_scrolls_sideways(browser, live_server, programme):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until

    browser.set_window_size(390, 844)
    wait = page_wait(browser)

    def fits_the_screen():
        return browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )

    browser.get(live_server.url + "/")
    assert not browser.find_element(By.CSS_SELECTOR, ".nav-desktop").is_displayed()
    browser.find_element(By.CSS_SELECTOR, ".nav-mobile summary").click()
    link = browser.find_element(By.CSS_SELECTOR, ".nav-mobile a[href='/fellows/']")
    wait.until(until.visibility_of(link))
    link.click()
    wait.until(until.url_contains("/fellows/"))

    for url in (
        "/",
        "/fellows/",
        programme["fellow"].get_absolute_url(),
        programme["organization"].get_absolute_url(),
        programme["story"].get_absolute_url(),
        "/rounds/2016/",
        "/stories/",
        "/events/",
    ):
        browser.get(live_server.url + url)
        assert fits_the_screen(), f"{url} scrolls sideways on a phone"
        assert_page_is_sound(browser)
