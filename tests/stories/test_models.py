import pytest

from stories.models import Story
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_published_hides_drafts_reviews_scheduled_and_future(
    published_story, draft_story, scheduled_story, future_story
):
    StoryFactory(in_review=True)

    assert list(Story.objects.published()) == [published_story]
    assert published_story.is_published
    assert not draft_story.is_published
    assert not scheduled_story.is_published
    assert not future_story.is_published


def test_body_is_rendered_to_sanitised_html():
    story = StoryFactory(
        body='Hello **world**\n\n<script>alert("x")</script>\n\n'
        '<a href="javascript:alert(1)" onclick="x()">link</a>'
    )

    assert "<strong>world</strong>" in story.body_html
    assert "<script" not in story.body_html
    assert "javascript:" not in story.body_html
    assert "onclick" not in story.body_html


def test_published_story_needs_a_time():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        StoryFactory(status=Story.Status.PUBLISHED, published_at=None)


def test_about_verbs(published_story, fellow, topic, pairing):
    assert list(Story.objects.about_fellow(fellow)) == [published_story]
    assert list(Story.objects.about_topic(topic)) == [published_story]
    assert list(Story.objects.about_organization(pairing.chinese_organization)) == [
        published_story
    ]
