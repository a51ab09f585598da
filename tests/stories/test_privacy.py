"""Consent cannot hide free text: editors are warned when a story names a fellow who does not
show their full name to everyone."""

import pytest
from django.urls import reverse

from fellows.visibility import Audience
from tests.fellows.factories import FellowFactory
from tests.html import text
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

WARNING = "who do not show their full name to everyone"


@pytest.fixture
def hidden(pairing):
    return FellowFactory(
        name="Li Na", name_zh="李娜", pairing=pairing, name_visibility=Audience.ALUMNI
    )


@pytest.mark.parametrize(
    "body",
    ["We met Li Na in Changsha.", "我们在长沙见到了李娜。", "LI NA spoke first."],
)
def test_the_change_page_warns_of_a_hidden_name(admin_client, hidden, body):
    story = StoryFactory(in_review=True, body=body)
    page = text(admin_client.get(reverse("admin:stories_story_change", args=[story.pk])))
    assert f"names Li Na (Signed-in alumni and staff), {WARNING}" in page


@pytest.mark.parametrize("body", ["We met Lina and Li Nan.", "We met Anna Schmidt."])
def test_no_warning_for_other_words_or_public_names(admin_client, hidden, fellow, body):
    story = StoryFactory(in_review=True, body=body)
    page = text(admin_client.get(reverse("admin:stories_story_change", args=[story.pk])))
    assert WARNING not in page


def test_approving_warns_too(admin_client, hidden, fellow):
    story = StoryFactory(in_review=True, title="Budgets with Li Na", fellows=[fellow])
    response = admin_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "approve_and_publish", "_selected_action": [story.pk]},
        follow=True,
    )
    assert "1 story approved and published." in text(response)
    assert WARNING in text(response)
