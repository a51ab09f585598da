import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Story
from tests.html import has_link, parse, text
from tests.organizations.factories import ExchangeRoundFactory, TopicFactory
from tests.stories.factories import KeywordFactory, StoryFactory

pytestmark = pytest.mark.django_db

LIST = reverse("stories:list")


def titles_on(response, *candidates):
    page = text(response)
    return {title for title in candidates if title in page}


# ------------------------------------------------------------------------------
# Visibility
# ------------------------------------------------------------------------------
def test_published_story_is_listed_and_linked(client, published_story):
    response = client.get(LIST)

    assert response.status_code == 200
    assert "A summer inside Green Watershed" in text(response)
    assert has_link(response, published_story.get_absolute_url())


@pytest.mark.parametrize("fixture", ["draft_story", "scheduled_story", "future_story"])
def test_unpublished_story_is_404_for_public_and_absent_from_lists(
    client, request, fixture, published_story
):
    story = request.getfixturevalue(fixture)
    in_review = StoryFactory(title="Waiting for an editor", in_review=True)

    for hidden in (story, in_review):
        assert client.get(hidden.get_absolute_url()).status_code == 404
    for url in (
        LIST,
        reverse("home"),
        published_story.round.get_absolute_url(),
        reverse("topic", kwargs={"slug": "climate-change"}),
    ):
        page = text(client.get(url))
        assert story.title not in page, url
        assert "Waiting for an editor" not in page, url


def test_unpublished_story_is_404_even_for_staff_on_the_public_site(admin_client, draft_story):
    assert admin_client.get(draft_story.get_absolute_url()).status_code == 404


# ------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------
TITLES = ("Alpha news", "Beta fellow story", "Gamma video", "Delta report")


@pytest.fixture
def stories(db, published_story):
    """Four more stories of every kind, across topics, keywords, rounds and years."""
    tourism = TopicFactory(name="Sustainable tourism", slug="sustainable-tourism")
    going_out = KeywordFactory(name="Going out", slug="going-out")
    round_2014 = ExchangeRoundFactory(year=2014)
    StoryFactory(
        title="Alpha news",
        kind=Story.Kind.NEWS,
        published_at=datetime.datetime(2015, 3, 1, tzinfo=datetime.UTC),
        topics=[tourism],
    )
    StoryFactory(
        title="Beta fellow story",
        kind=Story.Kind.FELLOW_STORY,
        round=round_2014,
        keywords=[going_out],
        body="Pandas and *river dolphins*.",
    )
    StoryFactory(title="Gamma video", kind=Story.Kind.VIDEO, video_url="https://video.example/1")
    StoryFactory(title="Delta report", kind=Story.Kind.REPORT, round=round_2014)


def test_filter_by_kind(client, stories):
    assert titles_on(client.get(LIST, {"kind": "video"}), *TITLES) == {"Gamma video"}
    assert titles_on(client.get(LIST, {"kind": "fellow-story"}), *TITLES) == {"Beta fellow story"}


def test_filter_by_topic(client, stories):
    response = client.get(LIST, {"topic": "sustainable-tourism"})

    assert titles_on(response, *TITLES) == {"Alpha news"}
    assert "A summer inside Green Watershed" not in text(response)


def test_filter_by_keyword(client, stories):
    assert titles_on(client.get(LIST, {"keyword": "going-out"}), *TITLES) == {"Beta fellow story"}


def test_filter_by_round(client, stories):
    assert titles_on(client.get(LIST, {"round": 2014}), *TITLES) == {
        "Beta fellow story",
        "Delta report",
    }


def test_filter_by_year_published(client, stories):
    assert titles_on(client.get(LIST, {"year": 2015}), *TITLES) == {"Alpha news"}


def test_text_query(client, stories):
    assert titles_on(client.get(LIST, {"q": "river dolphins"}), *TITLES) == {"Beta fellow story"}


def test_empty_result_says_so(client, stories):
    response = client.get(LIST, {"year": 2001})

    assert response.status_code == 200
    assert titles_on(response, *TITLES) == set()
    assert "No stories match these filters." in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1999"},
        {"round": "abc"},
        {"round": "1999"},
        {"kind": "poem"},
        {"topic": "nope"},
        {"keyword": "nope"},
        {"page": "999"},
        {"page": "abc"},
    ],
)
def test_bad_filter_values_never_break_the_page(client, stories, query):
    response = client.get(LIST, query)

    assert response.status_code == 200
    assert titles_on(response, *TITLES) == set(TITLES)


def test_year_that_is_text_is_explained(client, stories):
    response = client.get(LIST, {"year": "abc"})

    assert "Enter a whole number" in text(response) or "Enter a number" in text(response)


# ------------------------------------------------------------------------------
# Story page
# ------------------------------------------------------------------------------
def test_story_page_shows_body_and_links_to_fellows_organisations_and_round(
    client, published_story, fellow, pairing
):
    response = client.get(published_story.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "A summer inside Green Watershed" in page
    assert "We met the river communities first." in page
    assert "Anna Schmidt" in page
    assert has_link(response, fellow.get_absolute_url())
    assert has_link(response, pairing.european_organization.get_absolute_url())
    assert has_link(response, pairing.chinese_organization.get_absolute_url())
    assert has_link(response, pairing.round.get_absolute_url())
    assert has_link(response, reverse("topic", kwargs={"slug": "climate-change"}))
    keyword_url = reverse("stories:keyword", kwargs={"slug": "chinese-ngos-going-out"})
    assert has_link(response, keyword_url)


def test_story_body_markdown_is_rendered(client, published_story):
    response = client.get(published_story.get_absolute_url())

    assert "<em>river communities</em>" in response.content.decode()


def test_script_in_a_story_body_never_reaches_the_page(client):
    story = StoryFactory(
        body='Before\n\n<script>alert("pwned")</script>\n\n'
        '<img src="x" onerror="alert(1)">\n\n[click](javascript:alert(2))'
    )

    response = client.get(story.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Before" in text(response)
    assert 'alert("pwned")' not in html
    assert "onerror" not in html
    assert "javascript:alert" not in html
    assert parse(response).inline_scripts == []


def test_video_story_links_to_the_video(client):
    story = StoryFactory(kind=Story.Kind.VIDEO, video_url="https://video.example/watch/42")

    response = client.get(story.get_absolute_url())

    assert has_link(response, "https://video.example/watch/42")


def test_report_story_offers_the_download(client, settings):
    from django.core.files.base import ContentFile

    story = StoryFactory(kind=Story.Kind.REPORT)
    story.report_file.save("report-2016.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    response = client.get(story.get_absolute_url())

    assert has_link(response, story.report_file.url)


def test_related_stories_share_a_topic(client, published_story, topic):
    related = StoryFactory(title="Another climate story", topics=[topic])
    StoryFactory(title="Unrelated story", topics=[TopicFactory()])

    response = client.get(published_story.get_absolute_url())

    assert has_link(response, related.get_absolute_url())
    assert "Unrelated story" not in text(response)


def test_unknown_story_is_a_styled_404(client, db):
    response = client.get(reverse("stories:detail", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)


# ------------------------------------------------------------------------------
# Keyword archive
# ------------------------------------------------------------------------------
def test_keyword_archive_lists_excerpts_with_read_more(client, published_story, keyword):
    StoryFactory(title="Going out, but a draft", draft=True, keywords=[keyword])
    StoryFactory(title="Different keyword", keywords=[KeywordFactory()])

    response = client.get(keyword.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "Chinese NGOs Going Out" in page
    assert "A summer inside Green Watershed" in page
    assert published_story.summary in page
    assert "read more" in page.lower()
    assert has_link(response, published_story.get_absolute_url())
    assert "Going out, but a draft" not in page
    assert "Different keyword" not in page


def test_keyword_archive_without_stories_says_so(client, keyword):
    response = client.get(keyword.get_absolute_url())

    assert response.status_code == 200
    assert "No stories with this keyword have been published yet." in text(response)


def test_unknown_keyword_is_a_styled_404(client, db):
    response = client.get(reverse("stories:keyword", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)


@pytest.mark.parametrize("query", [{"page": "999"}, {"page": "abc"}, {"year": "abc"}])
def test_keyword_archive_bad_values(client, published_story, keyword, query):
    response = client.get(keyword.get_absolute_url(), query)

    assert response.status_code == 200
    assert "A summer inside Green Watershed" in text(response)


def test_story_published_a_moment_ago_is_visible(client):
    story = StoryFactory(published_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get(story.get_absolute_url()).status_code == 200
