import pytest
from django.urls import reverse

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

LIST = reverse("fellows:list")


def names_on(response, *candidates):
    """Which of the candidate names the page shows."""
    page = text(response)
    return {name for name in candidates if name in page}


# ------------------------------------------------------------------------------
# List
# ------------------------------------------------------------------------------
def test_fellows_list_shows_each_fellow_with_a_link_to_the_profile(client, fellow, chinese_fellow):
    response = client.get(LIST)

    assert response.status_code == 200
    assert names_on(response, "Anna Schmidt", "Li Wei") == {"Anna Schmidt", "Li Wei"}
    assert has_link(response, fellow.get_absolute_url())
    assert has_link(response, chinese_fellow.get_absolute_url())


@pytest.fixture
def two_rounds(round_with_pairings):
    """Fellows in 2016 (Anna, Li Wei, Zhang Min) and one in 2014 from France, on gender."""
    gender = TopicFactory(name="Gender equality", slug="gender-equality")
    pairing_2014 = PairingFactory(
        round=ExchangeRoundFactory(year=2014),
        european_organization=EuropeanOrganizationFactory(
            name="Le Planning Familial", slug="le-planning-familial", country="FR"
        ),
        chinese_organization=ChineseOrganizationFactory(
            name="Hei Feng Antoaneta", slug="hei-feng", province="Beijing"
        ),
        topic=gender,
    )
    return FellowFactory(name="Marie Dubois", pairing=pairing_2014, biography="Forum theatre")


ALL = ("Anna Schmidt", "Li Wei", "Zhang Min", "Marie Dubois")


def test_filter_by_round(client, two_rounds):
    response = client.get(LIST, {"round": 2014})

    assert response.status_code == 200
    assert names_on(response, *ALL) == {"Marie Dubois"}


def test_filter_by_direction(client, two_rounds):
    response = client.get(LIST, {"direction": "cn-eu"})

    assert names_on(response, *ALL) == {"Li Wei", "Zhang Min"}


def test_filter_by_country_of_the_home_organisation(client, two_rounds):
    response = client.get(LIST, {"country": "FR"})

    assert names_on(response, *ALL) == {"Marie Dubois"}


def test_filter_by_topic(client, two_rounds):
    response = client.get(LIST, {"topic": "climate-change"})

    assert names_on(response, *ALL) == {"Anna Schmidt", "Li Wei"}


def test_filter_by_organisation_finds_sent_and_hosted_fellows(client, two_rounds):
    response = client.get(LIST, {"organization": "green-watershed"})

    assert names_on(response, *ALL) == {"Anna Schmidt", "Li Wei"}


def test_filter_by_part_of_an_organisation_name(client, two_rounds):
    response = client.get(LIST, {"organization": "watershed"})

    assert names_on(response, *ALL) == {"Anna Schmidt", "Li Wei"}


def test_unknown_organisation_says_no_fellow_matches(client, two_rounds):
    response = client.get(LIST, {"organization": "nope"})

    assert response.status_code == 200
    assert names_on(response, *ALL) == set()
    assert "No fellows match these filters." in text(response)


def test_text_query(client, two_rounds):
    response = client.get(LIST, {"q": "forum theatre"})

    assert names_on(response, *ALL) == {"Marie Dubois"}


def test_filters_combine(client, two_rounds):
    response = client.get(LIST, {"round": 2016, "direction": "eu-cn"})

    assert names_on(response, *ALL) == {"Anna Schmidt"}


def test_empty_result_says_so(client, two_rounds):
    response = client.get(LIST, {"q": "nobody-by-this-name"})

    assert response.status_code == 200
    assert names_on(response, *ALL) == set()
    assert "No fellows match these filters." in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"round": "abc"},
        {"round": "1999"},
        {"direction": "sideways"},
        {"country": "XX"},
        {"topic": "nope"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
    ],
)
def test_bad_filter_values_never_break_the_page(client, two_rounds, query):
    response = client.get(LIST, query)

    assert response.status_code == 200
    # The bad value is ignored: every fellow is still listed.
    assert names_on(response, *ALL) == set(ALL)


@pytest.mark.parametrize("query", [{"round": "abc"}, {"round": "1999"}, {"topic": "nope"}])
def test_bad_filter_value_is_explained(client, two_rounds, query):
    response = client.get(LIST, query)

    assert "valid choice" in text(response)


def test_pagination_past_the_end_shows_the_last_page(client, settings, db):
    pairing = PairingFactory()
    FellowFactory.create_batch(30, pairing=pairing)
    FellowFactory(name="Zz Last Fellow", pairing=pairing)

    response = client.get(LIST, {"page": 999})

    assert response.status_code == 200
    assert "Zz Last Fellow" in text(response)
    assert has_link(response, LIST)  # a link back to earlier pages


def test_pagination_keeps_the_filter(client, db):
    pairing = PairingFactory(round=ExchangeRoundFactory(year=2015))
    FellowFactory.create_batch(30, pairing=pairing)

    response = client.get(LIST, {"round": 2015})

    hrefs = [href for href in _hrefs(response) if "page=2" in href]
    assert hrefs
    assert all("round=2015" in href for href in hrefs)


def _hrefs(response):
    from tests.html import parse

    return parse(response).links


# ------------------------------------------------------------------------------
# Detail
# ------------------------------------------------------------------------------
def test_profile_shows_role_organisation_host_round_topic_biography_and_testimonial(
    client, fellow, pairing
):
    response = client.get(fellow.get_absolute_url())

    assert response.status_code == 200
    page = text(response)
    assert "Anna Schmidt" in page
    assert "Policy advisor" in page
    assert "Germanwatch" in page
    assert "Green Watershed" in page
    assert "2016" in page
    assert "Climate change" in page
    assert fellow.biography[:40] in page
    assert "The exchange changed how I see our work." in page


def test_profile_links_to_organisation_host_and_round(client, fellow, pairing):
    response = client.get(fellow.get_absolute_url())

    assert has_link(response, pairing.european_organization.get_absolute_url())
    assert has_link(response, pairing.chinese_organization.get_absolute_url())
    assert has_link(response, pairing.round.get_absolute_url())


def test_profile_lists_published_stories_about_the_fellow(client, fellow, published_story):
    StoryFactory(title="Unfinished draft about Anna", draft=True, fellows=[fellow])

    response = client.get(fellow.get_absolute_url())

    assert has_link(response, published_story.get_absolute_url())
    assert "A summer inside Green Watershed" in text(response)
    assert "Unfinished draft about Anna" not in text(response)


def test_profile_photo_falls_back_to_initials(client, fellow):
    response = client.get(fellow.get_absolute_url())

    assert "AS" in text(response)


def test_unknown_fellow_is_a_styled_404(client, db):
    response = client.get(reverse("fellows:detail", kwargs={"slug": "nobody"}))

    assert response.status_code == 404
    assert "Page not found" in text(response)
