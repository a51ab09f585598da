import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from organizations.models import ExchangeRound, Organization, Pairing
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    ExchangeRoundFactory,
    PairingFactory,
)

pytestmark = pytest.mark.django_db


def test_pairing_factory_twins_a_european_and_a_chinese_organisation():
    pairing = PairingFactory()

    assert pairing.european_organization.region == Organization.Region.EUROPE
    assert pairing.european_organization.country != "CN"
    assert pairing.chinese_organization.region == Organization.Region.CHINA
    assert pairing.chinese_organization.country == "CN"
    pairing.full_clean()


def test_pairing_rejects_two_european_organisations():
    pairing = PairingFactory.build(
        round=ExchangeRoundFactory(),
        european_organization=EuropeanOrganizationFactory(),
        chinese_organization=EuropeanOrganizationFactory(),
        topic=PairingFactory().topic,
    )

    with pytest.raises(ValidationError) as error:
        pairing.full_clean()
    assert "chinese_organization" in error.value.message_dict


def test_pairing_is_unique_per_round(pairing):
    with pytest.raises(IntegrityError):
        PairingFactory(
            round=pairing.round,
            european_organization=pairing.european_organization,
            chinese_organization=pairing.chinese_organization,
        )


def test_partner_of_gives_the_other_side(pairing):
    assert pairing.partner_of(pairing.european_organization) == pairing.chinese_organization
    assert pairing.partner_of(pairing.chinese_organization) == pairing.european_organization


def test_planned_rounds_are_not_public():
    ExchangeRoundFactory(year=2013)
    ExchangeRoundFactory(year=2030, status=ExchangeRound.Status.PLANNED)

    assert list(ExchangeRound.objects.public().values_list("year", flat=True)) == [2013]


def test_round_year_must_be_plausible():
    with pytest.raises(IntegrityError):
        ExchangeRoundFactory(year=1999)


def test_organisations_in_a_round_are_listed_once(round_with_pairings, pairing):
    PairingFactory(
        round=ExchangeRoundFactory(year=2017), european_organization=pairing.european_organization
    )

    in_2016 = Organization.objects.in_round(2016)

    assert in_2016.count() == 4
    assert pairing.european_organization in in_2016


def test_place_names_city_province_and_country():
    organization = ChineseOrganizationFactory(city="Kunming", province="Yunnan")

    assert organization.place == "Kunming, Yunnan, China"


def test_str_and_urls(pairing):
    assert str(pairing) == "Germanwatch ↔ Green Watershed (2016)"
    assert pairing.get_absolute_url() == f"/rounds/2016/#pairing-{pairing.pk}"
    assert pairing.european_organization.get_absolute_url() == "/organizations/germanwatch/"
    assert Pairing.objects.involving(pairing.chinese_organization).get() == pairing
