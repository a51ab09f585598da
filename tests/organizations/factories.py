import datetime

import factory
from factory.django import DjangoModelFactory

from organizations.countries import EUROPEAN_COUNTRIES
from organizations.models import ExchangeRound, Organization, Pairing, Topic

CHINESE_PROVINCES = [
    "Yunnan",
    "Beijing",
    "Sichuan",
    "Guangdong",
    "Shaanxi",
    "Guizhou",
    "Hunan",
    "Shanghai",
    "Gansu",
    "Inner Mongolia",
]


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    name_zh = "主题"
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = factory.Faker("sentence")


class ExchangeRoundFactory(DjangoModelFactory):
    """A completed (public) round. Years stay inside the model's plausible range."""

    class Meta:
        model = ExchangeRound
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2001 + n % 99)
    theme = factory.Faker("catch_phrase")
    status = ExchangeRound.Status.COMPLETED
    summary = factory.Faker("paragraph")
    exchange_start = factory.LazyAttribute(lambda o: datetime.date(o.year, 5, 1))
    exchange_end = factory.LazyAttribute(lambda o: datetime.date(o.year, 7, 31))


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    region = Organization.Region.EUROPE
    country = "DE"
    city = factory.Faker("city")
    website = factory.Faker("url")
    description = factory.Faker("paragraph")

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class EuropeanOrganizationFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"European Network {n}")
    slug = factory.Sequence(lambda n: f"european-network-{n}")
    region = Organization.Region.EUROPE
    country = factory.Iterator([code for code, _name in EUROPEAN_COUNTRIES])


class ChineseOrganizationFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Green Action Centre {n}")
    name_zh = factory.Sequence(lambda n: f"绿色行动中心{n}")
    slug = factory.Sequence(lambda n: f"green-action-centre-{n}")
    region = Organization.Region.CHINA
    country = "CN"
    province = factory.Iterator(CHINESE_PROVINCES)
    city = factory.SelfAttribute("province")


class PairingFactory(DjangoModelFactory):
    """One European and one Chinese organisation, twinned in one round."""

    class Meta:
        model = Pairing

    round = factory.SubFactory(ExchangeRoundFactory)
    european_organization = factory.SubFactory(EuropeanOrganizationFactory)
    chinese_organization = factory.SubFactory(ChineseOrganizationFactory)
    topic = factory.SubFactory(TopicFactory)
    summary = factory.Faker("sentence")
