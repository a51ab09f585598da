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


ORGANIZATION_WARNING = "names the organization of Li Wei (Green Watershed: Programme staff only)"


@pytest.fixture
def hides_organization(chinese_fellow):
    """Li Wei shows his name but not where he works."""
    chinese_fellow.name_visibility = Audience.PUBLIC
    chinese_fellow.organization_visibility = Audience.STAFF
    chinese_fellow.save()
    return chinese_fellow


@pytest.mark.parametrize(
    ("body", "listed"),
    [
        ("Li Wei told us how Green Watershed works with villages.", False),
        ("李伟介绍了绿色流域与村民的合作。", False),
        ("Li Wei told us about his work.", True),
    ],
    ids=["organization in the text", "in Chinese", "organization listed beside him"],
)
def test_a_story_about_a_fellow_warns_of_the_organization_he_hides(
    admin_client, hides_organization, chinese_organization, body, listed
):
    story = StoryFactory(
        in_review=True,
        body=body,
        fellows=[hides_organization],
        organizations=[chinese_organization] if listed else [],
    )
    page = text(admin_client.get(reverse("admin:stories_story_change", args=[story.pk])))
    assert ORGANIZATION_WARNING in page


def test_the_organization_alone_is_no_warning(
    admin_client, hides_organization, chinese_organization
):
    """A story about Green Watershed that is not about Li Wei says nothing about him."""
    story = StoryFactory(
        in_review=True,
        body="Green Watershed works with villages.",
        organizations=[chinese_organization],
    )
    page = text(admin_client.get(reverse("admin:stories_story_change", args=[story.pk])))
    assert "names the organization of" not in page
