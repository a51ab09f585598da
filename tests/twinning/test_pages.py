"""Site-wide pages: home, about, topics, the 404 page, robots.txt and the sitemap."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import ExchangeRound
from tests.events.factories import EventFactory
from tests.fellows.factories import FellowFactory
from tests.html import has_link, text
from tests.organizations.factories import ExchangeRoundFactory, TopicFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

NAV = {
    "rounds:list": "/rounds/",
    "organizations:list": "/organizations/",
    "fellows:list": "/fellows/",
    "stories:list": "/stories/",
    "events:list": "/events/",
    "about": "/about/",
}


def test_home_says_what_the_programme_is_and_links_every_section(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = text(response)
    assert "Twinning" in page
    assert "NGO" in page
    for name, url in NAV.items():
        assert reverse(name) == url
        assert has_link(response, url), name


def test_home_shows_numbers_latest_stories_testimonials_and_upcoming_events(
    client, round_with_pairings, fellow, published_story, upcoming_event, past_event
):
    ExchangeRoundFactory(year=2031, status=ExchangeRound.Status.PLANNED)

    response = client.get(reverse("home"))

    page = text(response)
    # 1 public round, 4 organisations, 3 fellows, 3 countries (Germany, Belgium, China).
    assert "exchange round since 2016 1" in page
    assert "partner organizations 4" in page
    assert "exchange fellows 3" in page
    assert "countries 3" in page
    assert "A summer inside Green Watershed" in page
    assert has_link(response, published_story.get_absolute_url())
    # A testimonial: quote, fellow, organisation, year.
    assert "The exchange changed how I see our work." in page
    assert has_link(response, fellow.get_absolute_url())
    assert "Germanwatch" in page
    assert "2016" in page
    assert has_link(response, upcoming_event.get_absolute_url())
    assert past_event.title not in page


def test_home_without_any_content_still_renders(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200


def test_home_shows_only_the_latest_six_stories(client):
    now = timezone.now()
    for day in range(1, 9):
        StoryFactory(title=f"Story of day {day}", published_at=now - datetime.timedelta(days=day))

    page = text(client.get(reverse("home")))

    assert "Story of day 1" in page
    assert "Story of day 6" in page
    assert "Story of day 8" not in page


def test_about_explains_the_programme_and_lists_rounds(client, round_with_pairings):
    ExchangeRoundFactory(year=2013, theme="The first five pairs")

    response = client.get(reverse("about"))

    assert response.status_code == 200
    page = text(response)
    assert "round" in page.lower()
    assert "2013" in page
    assert has_link(response, reverse("rounds:detail", kwargs={"year": 2013}))


def test_topics_page_links_every_topic(client, topic):
    other = TopicFactory(name="Disaster relief", slug="disaster-relief")

    response = client.get(reverse("topics"))

    assert response.status_code == 200
    assert "Climate change" in text(response)
    assert "Disaster relief" in text(response)
    assert has_link(response, topic.get_absolute_url())
    assert has_link(response, other.get_absolute_url())


def test_topic_page_gathers_organisations_fellows_stories_and_events(
    client, topic, fellow, pairing, published_story, upcoming_event, past_event, draft_story
):
    draft_story.topics.set([topic])
    elsewhere = TopicFactory(name="Fair trade", slug="fair-trade")
    StoryFactory(title="A fair trade story", topics=[elsewhere])
    EventFactory(title="A fair trade fair", topics=[elsewhere])

    response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "Climate change" in page
    assert has_link(response, pairing.european_organization.get_absolute_url())
    assert has_link(response, pairing.chinese_organization.get_absolute_url())
    assert has_link(response, fellow.get_absolute_url())
    assert has_link(response, published_story.get_absolute_url())
    assert has_link(response, upcoming_event.get_absolute_url())
    assert has_link(response, past_event.get_absolute_url())
    assert "A fair trade story" not in page
    assert "A fair trade fair" not in page
    assert draft_story.title not in page


def test_topic_page_without_content_renders(client, db):
    topic = TopicFactory(name="Gender equality", slug="gender-equality")

    response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
    assert "Gender equality" in text(response)


def test_unknown_topic_is_a_styled_404(client, db):
    response = client.get(reverse("topic", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_unknown_path_is_the_styled_404_page(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = text(response)
    assert "Twinning" in page
    assert has_link(response, "/")
    assert "Page not found" in page


def test_robots_txt(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent" in response.content.decode()


def test_sitemap_lists_public_pages_only(client, fellow, published_story, draft_story):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.content.decode()
    assert fellow.get_absolute_url() in xml
    assert published_story.get_absolute_url() in xml
    assert draft_story.get_absolute_url() not in xml


def test_sitemap_lists_a_story_published_after_start_up(client, db):
    client.get("/sitemap.xml")  # the URLconf and its sitemaps are loaded by now
    story = StoryFactory(published_at=timezone.now())

    xml = client.get("/sitemap.xml").content.decode()

    assert story.get_absolute_url() in xml


def test_fellow_card_link_on_home_testimonial(client, db):
    FellowFactory(name="Testimonial Giver", testimonial="It was a true turning point.")

    response = client.get(reverse("home"))

    assert "It was a true turning point." in text(response)


def test_favicon_ico_points_at_the_site_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
