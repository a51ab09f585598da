import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import Event, Speaker


def _in_days(days, hours=10):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now.replace(hour=hours) + datetime.timedelta(days=days)


class EventFactory(DjangoModelFactory):
    """An upcoming workshop in Berlin; `past` and `online` traits change that."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: _in_days(-30)))
        online = factory.Trait(
            kind=Event.Kind.WEBINAR, venue="", city="", online_url="https://meet.example/room"
        )

    title = factory.Sequence(lambda n: f"Capacity-building workshop {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = Event.Kind.WORKSHOP
    summary = factory.Faker("sentence")
    description = "Two days on **civil-society cooperation**."
    starts_at = factory.LazyFunction(lambda: _in_days(14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=6))
    time_zone = "Europe/Berlin"
    venue = "Haus der Demokratie"
    city = "Berlin"

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizations.set(extracted)


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name")
    affiliation = factory.Faker("company")
    gender = Speaker.Gender.WOMAN
    position = factory.Sequence(lambda n: n)
