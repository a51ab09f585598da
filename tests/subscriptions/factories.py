import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from subscriptions.models import Delivery, KindFollow, Newsletter, Subscriber


def _m2m(name):
    def set_related(self, create, extracted, **kwargs):
        if create and extracted:
            getattr(self, name).set(extracted)

    set_related.__name__ = name
    return factory.PostGeneration(set_related)


class SubscriberFactory(DjangoModelFactory):
    """A confirmed subscriber who follows all programme news, at once, in English."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    class Params:
        unconfirmed = factory.Trait(confirmed_at=None, follows_all_news=False)
        weekly = factory.Trait(frequency=Subscriber.Frequency.WEEKLY)
        unsubscribed = factory.Trait(unsubscribed_at=factory.LazyFunction(timezone.now))
        chinese = factory.Trait(language=Subscriber.Language.CHINESE)

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)
    follows_all_news = True

    topics = _m2m("topics")
    organizations = _m2m("organizations")
    fellows = _m2m("fellows")

    @factory.post_generation
    def kinds(self, create, extracted, **kwargs):
        if create and extracted:
            KindFollow.objects.bulk_create(
                [KindFollow(subscriber=self, kind=k) for k in extracted]
            )


class NewsletterFactory(DjangoModelFactory):
    class Meta:
        model = Newsletter

    class Params:
        sent = factory.Trait(sent_at=factory.LazyFunction(timezone.now))

    subject = factory.Sequence(lambda n: f"Twinning newsletter no. {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    summary = factory.Faker("sentence")
    body = "## The 2027 round is open\n\nApplications close on **31 January**."


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    subscriber = factory.SubFactory(SubscriberFactory)
    kind = Delivery.Kind.ACCESS
