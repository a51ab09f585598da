import pytest
from django.urls import reverse

from organizations.models import ExchangeRound
from tests.fellows.factories import FellowFactory
from tests.html import has_link, text
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    ExchangeRoundFactory,
    PairingFactory,
    TopicFactory,
)
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

ORGANIZATIONS = reverse("organizations:list")
ROUNDS = reverse("rounds:list")


def names_on(response, *candidates):
    page = text(response)
    return {name for name in candidates if name in page}


# ------------------------------------------------------------------------------
# Rounds
# ------------------------------------------------------------------------------
def test_rounds_list_shows_every_public_round_with_a_link(client, round_with_pairings):
    ExchangeRoundFactory(year=2013, theme="The first five pairs")
    ExchangeRoundFactory(year=2031, theme="Not announced yet", status=ExchangeRound.Status.PLANNED)

    response = client.get(ROUNDS)

    assert response.status_code == 200
    page = text(response)
    assert "2016" in page
    assert "The first five pairs" in page
    assert "Not announced yet" not in page
    assert has_link(response, reverse("rounds:detail", kwargs={"year": 2013}))
    assert has_link(response, reverse("rounds:detail", kwargs={"year": 2016}))


def test_round_page_shows_its_pairings_with_both_organisations_topic_and_fellows(
    client, round_with_pairings, pairing, fellow, chinese_fellow
):
    response = client.get(round_with_pairings.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    for name in (
        "Germanwatch",
        "Green Watershed",
        "Friends of the Earth Europe",
        "Shanshui Conservation Center",
        "Climate change",
        "Environmental protection",
        "Anna Schmidt",
        "Li Wei",
        "Zhang Min",
    ):
        assert name in page, name
    assert has_link(response, pairing.european_organization.get_absolute_url())
    assert has_link(response, pairing.chinese_organization.get_absolute_url())
    assert has_link(response, fellow.get_absolute_url())
    assert has_link(response, chinese_fellow.get_absolute_url())


def test_round_page_lists_its_published_stories(client, published_story, draft_story):
    draft_story.round = published_story.round
    draft_story.save()

    response = client.get(published_story.round.get_absolute_url())

    assert has_link(response, published_story.get_absolute_url())
    assert "Draft nobody may see" not in text(response)


def test_planned_round_is_404(client, db):
    ExchangeRoundFactory(year=2031, status=ExchangeRound.Status.PLANNED)

    response = client.get(reverse("rounds:detail", kwargs={"year": 2031}))

    assert response.status_code == 404


def test_unknown_round_is_a_styled_404(client, db):
    response = client.get(reverse("rounds:detail", kwargs={"year": 1999}))

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_empty_rounds_list_says_so(client, db):
    response = client.get(ROUNDS)

    assert response.status_code == 200
    assert "No exchange rounds have been announced yet." in text(response)


# ------------------------------------------------------------------------------
# Organisations list and filters
# ------------------------------------------------------------------------------
ORGS = (
    "Germanwatch",
    "Green Watershed",
    "Friends of the Earth Europe",
    "Shanshui Conservation Center",
    "Le Planning Familial",
    "Hei Feng Antoaneta",
)


@pytest.fixture
def organisations(round_with_pairings):
    """Four organisations in 2016 and two (French, Beijing) in 2014, on gender equality."""
    gender = TopicFactory(name="Gender equality", slug="gender-equality")
    PairingFactory(
        round=ExchangeRoundFactory(year=2014),
        european_organization=EuropeanOrganizationFactory(
            name="Le Planning Familial", slug="le-planning-familial", country="FR", topics=[gender]
        ),
        chinese_organization=ChineseOrganizationFactory(
            name="Hei Feng Antoaneta", slug="hei-feng", province="Beijing", topics=[gender]
        ),
        topic=gender,
    )


def test_organisations_list_links_every_organisation(client, organisations, pairing):
    response = client.get(ORGANIZATIONS)

    assert response.status_code == 200
    assert names_on(response, *ORGS) == set(ORGS)
    assert has_link(response, pairing.chinese_organization.get_absolute_url())


def test_filter_organisations_by_region(client, organisations):
    response = client.get(ORGANIZATIONS, {"region": "china"})

    assert names_on(response, *ORGS) == {
        "Green Watershed",
        "Shanshui Conservation Center",
        "Hei Feng Antoaneta",
    }


def test_filter_organisations_by_country(client, organisations):
    response = client.get(ORGANIZATIONS, {"country": "FR"})

    assert names_on(response, *ORGS) == {"Le Planning Familial"}


def test_filter_organisations_by_topic(client, organisations):
    response = client.get(ORGANIZATIONS, {"topic": "gender-equality"})

    assert names_on(response, *ORGS) == {"Le Planning Familial", "Hei Feng Antoaneta"}


def test_filter_organisations_by_round(client, organisations):
    response = client.get(ORGANIZATIONS, {"round": 2014})

    assert names_on(response, *ORGS) == {"Le Planning Familial", "Hei Feng Antoaneta"}


def test_organisation_in_two_rounds_is_listed_once(client, organisations, pairing):
    PairingFactory(
        round=ExchangeRoundFactory(year=2017),
        european_organization=pairing.european_organization,
        chinese_organization=pairing.chinese_organization,
    )

    response = client.get(ORGANIZATIONS)

    assert text(response).count("Green Watershed") == 1


def test_empty_organisations_result_says_so(client, organisations):
    response = client.get(ORGANIZATIONS, {"region": "china", "country": "FR"})

    assert response.status_code == 200
    assert names_on(response, *ORGS) == set()
    assert "No organizations match these filters." in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"round": "abc"},
        {"round": "1999"},
        {"region": "mars"},
        {"country": "XX"},
        {"topic": "nope"},
        {"page": "999"},
        {"page": "abc"},
    ],
)
def test_bad_organisation_filter_values_never_break_the_page(client, organisations, query):
    response = client.get(ORGANIZATIONS, query)

    assert response.status_code == 200
    assert names_on(response, *ORGS) == set(ORGS)


# ------------------------------------------------------------------------------
# Organisation profile
# ------------------------------------------------------------------------------
def test_profile_shows_names_in_both_languages_place_and_topics(client, chinese_organization):
    response = client.get(chinese_organization.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "Green Watershed" in page
    assert "绿色流域" in page
    assert "Kunming" in page
    assert "Climate change" in page


def test_profile_shows_pairing_history_with_partner_links(
    client, round_with_pairings, pairing, fellow, chinese_fellow
):
    later = PairingFactory(
        round=ExchangeRoundFactory(year=2017),
        european_organization=EuropeanOrganizationFactory(name="Oxfam Novib"),
        chinese_organization=pairing.chinese_organization,
    )

    response = client.get(pairing.chinese_organization.get_absolute_url())

    page = text(response)
    assert "Germanwatch" in page
    assert "Oxfam Novib" in page
    assert "2016" in page
    assert "2017" in page
    assert has_link(response, pairing.european_organization.get_absolute_url())
    assert has_link(response, later.european_organization.get_absolute_url())
    assert has_link(response, pairing.round.get_absolute_url())
    # Its own fellow and the fellow it hosted.
    assert has_link(response, chinese_fellow.get_absolute_url())
    assert has_link(response, fellow.get_absolute_url())


def test_profile_lists_stories_about_the_organisation(client, published_story, pairing):
    StoryFactory(
        title="Not yet published", draft=True, organizations=[pairing.chinese_organization]
    )

    response = client.get(pairing.chinese_organization.get_absolute_url())

    assert has_link(response, published_story.get_absolute_url())
    assert "Not yet published" not in text(response)


def test_unknown_organisation_is_a_styled_404(client, db):
    response = client.get(reverse("organizations:detail", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_organisation_fellow_links_point_at_profiles(client, fellow, pairing):
    FellowFactory(name="Other Person", pairing=PairingFactory())

    response = client.get(pairing.european_organization.get_absolute_url())

    assert "Anna Schmidt" in text(response)
    assert "Other Person" not in text(response)
