import pytest
from django.urls import reverse

from tests.events.factories import EventFactory, SpeakerFactory
from tests.html import has_link, text
from tests.organizations.factories import TopicFactory

pytestmark = pytest.mark.django_db

LIST = reverse("events:list")


def titles_on(response, *candidates):
    page = text(response)
    return {title for title in candidates if title in page}


def test_events_list_shows_upcoming_and_past_events(client, upcoming_event, past_event):
    response = client.get(LIST)

    assert response.status_code == 200
    assert titles_on(response, upcoming_event.title, past_event.title) == {
        "C20 capacity-building workshop",
        "Alumni network kick-off",
    }
    assert has_link(response, upcoming_event.get_absolute_url())
    assert has_link(response, past_event.get_absolute_url())


def test_upcoming_events_come_before_past_ones(client, upcoming_event, past_event):
    page = text(client.get(LIST))

    assert page.index(upcoming_event.title) < page.index(past_event.title)


TITLES = ("C20 capacity-building workshop", "Alumni network kick-off", "Webinar on fair trade")


@pytest.fixture
def events(upcoming_event, past_event, online_event):
    online_event.topics.set([TopicFactory(name="Fair trade", slug="fair-trade")])


def test_filter_by_kind(client, events):
    assert titles_on(client.get(LIST, {"kind": "webinar"}), *TITLES) == {"Webinar on fair trade"}
    assert titles_on(client.get(LIST, {"kind": "alumni-meeting"}), *TITLES) == {
        "Alumni network kick-off"
    }


def test_filter_by_topic(client, events):
    assert titles_on(client.get(LIST, {"topic": "fair-trade"}), *TITLES) == {
        "Webinar on fair trade"
    }
    assert titles_on(client.get(LIST, {"topic": "climate-change"}), *TITLES) == {
        "C20 capacity-building workshop",
        "Alumni network kick-off",
    }


def test_empty_result_says_so(client, events):
    response = client.get(LIST, {"kind": "forum"})

    assert response.status_code == 200
    assert titles_on(response, *TITLES) == set()
    assert "No events match these filters." in text(response)


@pytest.mark.parametrize(
    "query", [{"kind": "party"}, {"topic": "nope"}, {"page": "999"}, {"page": "abc"}]
)
def test_bad_filter_values_never_break_the_page(client, events, query):
    response = client.get(LIST, query)

    assert response.status_code == 200
    assert titles_on(response, *TITLES) == set(TITLES)


def test_event_page_shows_time_place_speakers_and_organisations(
    client, upcoming_event, european_organization
):
    response = client.get(upcoming_event.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "C20 capacity-building workshop" in page
    assert "Hamburg" in page
    assert "Klaus Schilder" in page
    assert "MISEREOR" in page
    assert "civil-society cooperation" in page
    assert str(upcoming_event.starts_at.astimezone(upcoming_event.local_zone).year) in page
    assert has_link(response, european_organization.get_absolute_url())
    assert has_link(response, reverse("topic", kwargs={"slug": "climate-change"}))


def test_online_event_links_to_the_meeting(client, online_event):
    response = client.get(online_event.get_absolute_url())

    assert has_link(response, "https://meet.example/room")


def test_speaker_who_is_a_fellow_links_to_the_profile(client, upcoming_event, fellow):
    SpeakerFactory(event=upcoming_event, name="Anna Schmidt", fellow=fellow)

    response = client.get(upcoming_event.get_absolute_url())

    assert has_link(response, fellow.get_absolute_url())


def test_past_event_with_recording_links_to_it(client, db):
    event = EventFactory(past=True, recording_url="https://video.example/recording")

    response = client.get(event.get_absolute_url())

    assert has_link(response, "https://video.example/recording")


def test_speaker_gender_is_never_shown(client, upcoming_event):
    page = text(client.get(upcoming_event.get_absolute_url()))

    assert "Woman" not in page


def test_unknown_event_is_a_styled_404(client, db):
    response = client.get(reverse("events:detail", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)
