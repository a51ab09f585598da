import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_upcoming_and_past(upcoming_event, past_event):
    assert list(Event.objects.upcoming()) == [upcoming_event]
    assert list(Event.objects.past()) == [past_event]
    assert upcoming_event.is_upcoming
    assert not past_event.is_upcoming


def test_event_under_way_is_still_upcoming():
    from django.utils import timezone

    now = timezone.now()
    event = EventFactory(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )

    assert list(Event.objects.upcoming()) == [event]


def test_event_cannot_end_before_it_starts():
    event = EventFactory.build()
    event.ends_at = event.starts_at - datetime.timedelta(hours=1)

    with pytest.raises(ValidationError):
        event.clean()
    with pytest.raises(IntegrityError):
        event.save()


def test_event_needs_a_place_or_a_link():
    event = EventFactory.build(venue="", city="", online_url="")

    with pytest.raises(ValidationError):
        event.clean()


def test_online_event(online_event):
    assert online_event.is_online
    online_event.clean()


def test_description_is_rendered_to_sanitised_html():
    event = EventFactory(description="**Bold** <script>x()</script>")

    assert "<strong>Bold</strong>" in event.description_html
    assert "<script" not in event.description_html
