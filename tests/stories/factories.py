import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from stories.models import Keyword, Story


class KeywordFactory(DjangoModelFactory):
    class Meta:
        model = Keyword
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Keyword {n}")
    slug = factory.Sequence(lambda n: f"keyword-{n}")
    description = factory.Faker("sentence")


def _m2m(name):
    def set_related(self, create, extracted, **kwargs):
        if create and extracted:
            getattr(self, name).set(extracted)

    set_related.__name__ = name
    return factory.PostGeneration(set_related)


class StoryFactory(DjangoModelFactory):
    """A published news story; traits make drafts, stories in review and scheduled ones."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=Story.Status.DRAFT, published_at=None)
        in_review = factory.Trait(status=Story.Status.REVIEW, published_at=None)
        scheduled = factory.Trait(
            status=Story.Status.SCHEDULED,
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7)),
        )
        # Marked published but with a time in the future: not visible yet.
        future = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3)),
        )

    title = factory.Sequence(lambda n: f"Story number {n} from the exchange")
    slug = factory.Sequence(lambda n: f"story-{n}")
    kind = Story.Kind.NEWS
    status = Story.Status.PUBLISHED
    # Distinct times (newest first), yet always within the last day and a bit: the sequence
    # grows with the whole test session, and a story over two days old counts as old news
    # that is never announced (subscriptions.services.ANNOUNCE_WINDOW).
    published_at = factory.Sequence(
        lambda n: timezone.now() - datetime.timedelta(days=1, seconds=n % 10_000)
    )
    summary = factory.Faker("sentence")
    body = factory.LazyAttribute(lambda o: f"## {o.title}\n\nFirst paragraph of *the story*.")

    topics = _m2m("topics")
    keywords = _m2m("keywords")
    fellows = _m2m("fellows")
    organizations = _m2m("organizations")
