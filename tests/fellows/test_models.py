import pytest

from fellows.models import Fellow
from tests.fellows.factories import FellowFactory

pytestmark = pytest.mark.django_db


def test_european_fellow_is_hosted_by_the_chinese_partner(fellow, pairing):
    assert fellow.organization == pairing.european_organization
    assert fellow.host_organization == pairing.chinese_organization
    assert fellow.round == pairing.round


def test_chinese_fellow_is_hosted_by_the_european_partner(chinese_fellow, pairing):
    assert chinese_fellow.direction == Fellow.Direction.CHINA_TO_EUROPE
    assert chinese_fellow.organization == pairing.chinese_organization
    assert chinese_fellow.host_organization == pairing.european_organization


def test_fellow_without_pairing_has_no_round_or_host():
    fellow = FellowFactory(pairing=None)

    assert fellow.organization.is_european
    assert fellow.round is None
    assert fellow.host_organization is None


def test_initials():
    assert FellowFactory.build(name="anna maria schmidt").initials == "AM"


def test_of_organization_finds_sent_and_hosted_fellows(fellow, chinese_fellow, pairing):
    FellowFactory()  # someone else entirely

    found = Fellow.objects.of_organizations([pairing.chinese_organization])

    assert set(found) == {fellow, chinese_fellow}


def test_with_testimonial(fellow, chinese_fellow):
    assert list(Fellow.objects.with_testimonial()) == [fellow]
