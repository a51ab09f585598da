import factory
from factory.django import DjangoModelFactory

from fellows.models import Fellow
from tests.organizations.factories import EuropeanOrganizationFactory, PairingFactory


def _home_organization(fellow):
    """A fellow works for the side of the pairing they travel from."""
    if fellow.direction == Fellow.Direction.EUROPE_TO_CHINA:
        return fellow.pairing.european_organization
    return fellow.pairing.chinese_organization


class FellowFactory(DjangoModelFactory):
    """A twinner in a pairing; by default from the European side, travelling to China."""

    class Meta:
        model = Fellow

    class Params:
        from_china = factory.Trait(direction=Fellow.Direction.CHINA_TO_EUROPE, name_zh="李华")

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"fellow-{n}")
    direction = Fellow.Direction.EUROPE_TO_CHINA
    pairing = factory.SubFactory(PairingFactory)
    organization = factory.Maybe(
        "pairing",
        yes_declaration=factory.LazyAttribute(_home_organization),
        no_declaration=factory.SubFactory(EuropeanOrganizationFactory),
    )
    role = factory.Faker("job")
    biography = factory.Faker("paragraph")
    testimonial = ""
