"""Every change to a story or a fellow profile is kept, with who made it, for staff to see."""

import pytest
from django.urls import reverse

from stories.models import Story
from tests.html import text

pytestmark = pytest.mark.django_db


def story_form(story, **changes):
    data = {
        "title": story.title,
        "slug": story.slug,
        "kind": story.kind,
        "summary": story.summary,
        "body": story.body,
        "status": story.status,
        "published_at_0": story.published_at.strftime("%Y-%m-%d"),
        "published_at_1": story.published_at.strftime("%H:%M:%S"),
        "cover_alt": "",
        "video_url": "",
    }
    return data | changes


def test_an_edit_in_the_admin_is_recorded_with_its_author(
    admin_client, admin_user, published_story
):
    url = reverse("admin:stories_story_change", args=[published_story.pk])

    response = admin_client.post(url, story_form(published_story, title="A summer in Kunming"))

    assert response.status_code == 302, response.context["adminform"].errors
    history = Story.history.filter(id=published_story.pk).order_by("history_date")
    assert [entry.title for entry in history] == [
        "A summer inside Green Watershed",
        "A summer in Kunming",
    ]
    assert history.last().history_user == admin_user


def test_staff_see_the_history_page_of_a_story(admin_client, published_story):
    published_story.title = "A summer in Kunming"
    published_story.save()

    response = admin_client.get(reverse("admin:stories_story_history", args=[published_story.pk]))

    assert response.status_code == 200
    assert "A summer in Kunming" in text(response)


def test_the_public_cannot_see_a_history(client, published_story):
    response = client.get(reverse("admin:stories_story_history", args=[published_story.pk]))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_fellow_profile_keeps_its_earlier_versions(fellow):
    fellow.role = "Programme director"
    fellow.save()

    assert [entry.role for entry in fellow.history.order_by("history_date")] == [
        "Policy advisor",
        "Programme director",
    ]
