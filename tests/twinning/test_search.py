"""The site-wide search page."""

import pytest
from django.urls import reverse

from tests.html import has_link, text
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


def test_search_finds_fellows_organisations_stories_and_events(
    client, fellow, published_story, upcoming_event
):
    response = client.get(SEARCH, {"q": "Green Watershed"})

    assert response.status_code == 200
    # Anna Schmidt's host, the organisation itself, and the story about her stay.
    assert has_link(response, fellow.pairing.chinese_organization.get_absolute_url())
    assert has_link(response, published_story.get_absolute_url())
    assert "Results for “Green Watershed”" in text(response)


def test_search_finds_a_fellow_by_role(client, fellow):
    response = client.get(SEARCH, {"q": "policy advisor"})

    assert has_link(response, fellow.get_absolute_url())


def test_search_never_shows_unpublished_stories(client, draft_story, scheduled_story):
    response = client.get(SEARCH, {"q": "nobody may see"})

    assert not has_link(response, draft_story.get_absolute_url())
    assert "Nothing on the site matches “nobody may see”." in text(response)
    response = client.get(SEARCH, {"q": "scheduled for next week"})
    assert not has_link(response, scheduled_story.get_absolute_url())


def test_search_links_to_the_full_list_when_there_are_more_results(client, db):
    for number in range(7):
        StoryFactory(title=f"Mangrove restoration, part {number}")

    response = client.get(SEARCH, {"q": "mangrove"})

    assert has_link(response, reverse("stories:list") + "?q=mangrove")
    assert text(response).count("Mangrove restoration, part") == 6


def test_empty_search_shows_only_the_form(client, db):
    response = client.get(SEARCH, {"q": "   "})

    assert response.status_code == 200
    assert "Search the site" in text(response)
    assert "Nothing on the site matches" not in text(response)


def test_an_overlong_query_is_cut_not_refused(client, db):
    response = client.get(SEARCH, {"q": "x" * 5000})

    assert response.status_code == 200
    assert "x" * 101 not in text(response)


def test_events_list_filters_by_text(client, upcoming_event, past_event):
    response = client.get(reverse("events:list"), {"q": upcoming_event.title})

    assert has_link(response, upcoming_event.get_absolute_url())
    assert not has_link(response, past_event.get_absolute_url())


def test_search_is_in_the_navigation(client, db):
    assert has_link(client.get(reverse("home")), SEARCH)
