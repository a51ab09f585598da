"""RSS feeds of the stories."""

import pytest
from django.urls import reverse

from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_latest_stories_feed_lists_published_stories_only(client, published_story, draft_story):
    response = client.get(reverse("stories:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert published_story.title in body
    assert published_story.get_absolute_url() in body
    assert draft_story.title not in body


def test_keyword_feed_lists_that_keyword_only(client, published_story, keyword):
    other = StoryFactory(title="A story without the keyword")

    response = client.get(reverse("stories:keyword-feed", kwargs={"slug": keyword.slug}))

    body = response.content.decode()
    assert published_story.title in body
    assert other.title not in body


def test_unknown_keyword_feed_is_404(client, db):
    response = client.get(reverse("stories:keyword-feed", kwargs={"slug": "nope"}))

    assert response.status_code == 404


def test_every_page_points_feed_readers_to_the_feed(client, db):
    html = client.get(reverse("home")).content.decode()

    assert 'type="application/rss+xml"' in html
    assert reverse("stories:feed") in html


def test_feed_renders_in_a_fixed_number_of_queries(client, django_assert_max_num_queries, db):
    StoryFactory.create_batch(2)
    with django_assert_max_num_queries(1):  # the stories; a feed item needs nothing else
        client.get(reverse("stories:feed"))
    StoryFactory.create_batch(18)
    with django_assert_max_num_queries(1):
        client.get(reverse("stories:feed"))
