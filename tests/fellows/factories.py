import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from fellows.models import Fellow
from fellows.visibility import Audience
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
        # As on the profile of a fellow who recorded no choice: initials, no photo, nothing
        # identifying for anyone but staff.
        without_consent = factory.Trait(
            name_visibility=Audience.STAFF,
            photo_visibility=Audience.STAFF,
            organization_visibility=Audience.STAFF,
            links_visibility=Audience.STAFF,
            consent_recorded_at=None,
        )

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
    # Most fellows in tests chose to be public; tests about hiding say what they hide.
    name_visibility = Audience.PUBLIC
    photo_visibility = Audience.PUBLIC
    organization_visibility = Audience.PUBLIC
    links_visibility = Audience.PUBLIC
    consent_recorded_at = factory.LazyFunction(timezone.now)
