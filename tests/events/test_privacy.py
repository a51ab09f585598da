"""Consent cannot hide what staff type: an event's speakers are shown as typed, so staff are
warned when a speaker's name or affiliation spells out what a fellow hides."""

import pytest
from django.urls import reverse

from fellows.visibility import Audience
from tests.common.admin import change_form_data
from tests.events.factories import EventFactory, SpeakerFactory
from tests.fellows.factories import FellowFactory
from tests.html import text

pytestmark = pytest.mark.django_db

NAME_WARNING = "names Li Na (Signed-in alumni and staff), who do not show their full name"
ORGANIZATION_WARNING = "names the organization of Li Wei (Green Watershed: Programme staff only)"


@pytest.fixture
def li_na(pairing):
    return FellowFactory(
        name="Li Na", name_zh="李娜", pairing=pairing, name_visibility=Audience.ALUMNI
    )


@pytest.fixture
def li_wei(chinese_fellow):
    chinese_fellow.name_visibility = Audience.PUBLIC
    chinese_fellow.organization_visibility = Audience.STAFF
    chinese_fellow.save()
    return chinese_fellow


def change_page(admin_client, event):
    return text(admin_client.get(reverse("admin:events_event_change", args=[event.pk])))


def test_a_speaker_typed_with_a_hidden_name_is_warned_of(admin_client, li_na):
    event = EventFactory(title="Alumni meeting in Changsha")
    SpeakerFactory(event=event, name="Li Na", affiliation="")
    assert NAME_WARNING in change_page(admin_client, event)


def test_a_speakers_affiliation_that_spells_a_hidden_organization_is_warned_of(
    admin_client, li_wei
):
    event = EventFactory(title="River basins")
    SpeakerFactory(event=event, name="Li Wei", affiliation="Green Watershed", fellow=li_wei)
    page = change_page(admin_client, event)
    assert ORGANIZATION_WARNING in page
    assert "who do not show their full name" not in page  # his name is public


def test_public_speakers_are_no_warning(admin_client, fellow):
    event = EventFactory(title="Climate budgets")
    SpeakerFactory(event=event, name="Anna Schmidt", affiliation="Germanwatch", fellow=fellow)
    page = change_page(admin_client, event)
    assert "Check with them before it is published" not in page


def test_saving_a_speaker_with_a_hidden_name_warns_at_once(admin_client, li_na):
    event = EventFactory(title="Alumni meeting in Changsha")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = change_form_data(admin_client, url)
    data.update(
        {"speakers-0-name": "李娜", "speakers-0-gender": "woman", "speakers-0-position": "1"}
    )

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain, text(response)[:2000]
    assert event.speakers.get().name == "李娜"
    assert NAME_WARNING in text(response)
