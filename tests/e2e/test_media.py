"""A visitor plays a story's video: nothing comes from the platform before the click; the
click swaps in a sandboxed player from the privacy-enhanced host, which the CSP allows."""

import pytest

from tests.e2e.browser import assert_page_is_sound, page_wait
from tests.stories.factories import StoryFactory

pytestmark = [pytest.mark.e2e]


def test_the_video_loads_only_when_the_visitor_presses_play(
    browser, live_server, transactional_db
):
    from selenium.webdriver.common.by import By

    story = StoryFactory(
        title="Ten years of Twinning",
        kind="video",
        video_url="https://youtu.be/dQw4w9WgXcQ",
    )

    browser.get(live_server.url + story.get_absolute_url())
    assert_page_is_sound(browser)
    assert browser.find_elements(By.TAG_NAME, "iframe") == []
    requested = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert [url for url in requested if "youtube" in url] == []

    play = browser.find_element(By.CSS_SELECTOR, "[data-video-play]")
    assert play.is_displayed()
    assert play.text == "Play video — loads content from YouTube"
    play.click()

    player = page_wait(browser).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, "iframe.video-player")
    )[0]
    assert player.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert player.get_attribute("sandbox") == "allow-scripts allow-same-origin allow-presentation"
    assert player.get_attribute("allow") == "fullscreen; picture-in-picture"
    assert player.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
    assert player.get_attribute("loading") == "lazy"
    assert player.get_attribute("title") == "Ten years of Twinning (video on YouTube)"
    # The frame is allowed by the page's Content-Security-Policy (frame-src).
    assert_page_is_sound(browser)
