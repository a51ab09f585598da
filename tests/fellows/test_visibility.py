"""Publication consent: what each audience sees of a fellow who hides parts of their profile.

Wang Jian (王建) works for the Lancang Rivers Network. He lets signed-in alumni see his name and
links, and only staff his photo and organisation. The public must not learn his name, his
organisation (nor the pairing that would tell it) or his contact details from any page,
search, filter, feed, sitemap or email; alumni see his name but not his organisation; staff
see everything.
"""

import re
import uuid

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from fellows.models import Fellow
from fellows.visibility import Audience, viewing_as
from tests.accounts.factories import StaffUserFactory, UserFactory
from tests.events.factories import EventFactory, SpeakerFactory
from tests.fellows.factories import FellowFactory
from tests.html import text
from tests.organizations.factories import (
    ChineseOrganizationFactory,
    EuropeanOrganizationFactory,
    PairingFactory,
    TopicFactory,
)
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

NAME, NAME_ZH, SLUG = "Wang Jian", "王建", "wang-jian"
ORGANIZATION = "Lancang Rivers Network"
EMAIL, LINK = "wang.jian@lancang.example", "https://lancang.example/wang"


@pytest.fixture
def wang(exchange_round):
    river = TopicFactory(name="River basins", slug="river-basins")
    pairing = PairingFactory(
        round=exchange_round,
        european_organization=EuropeanOrganizationFactory(
            name="Wetlands Europe", slug="wetlands-europe", country="NL"
        ),
        chinese_organization=ChineseOrganizationFactory(
            name=ORGANIZATION, slug="lancang-rivers-network", province="Yunnan"
        ),
        topic=river,
    )
    fellow = FellowFactory(
        name=NAME,
        name_zh=NAME_ZH,
        slug=SLUG,
        pairing=pairing,
        from_china=True,
        role="River keeper",
        biography="Twelve years of community water monitoring.",
        testimonial="We learned to share data with the villages.",
        contact_email=EMAIL,
        links=LINK,
        name_visibility=Audience.ALUMNI,
        photo_visibility=Audience.STAFF,
        organization_visibility=Audience.STAFF,
        links_visibility=Audience.ALUMNI,
    )
    fellow.photo.save("wang-jian.jpg", ContentFile(_jpeg()))
    # A public colleague from the other side of the same pairing.
    FellowFactory(name="Eva de Vries", pairing=pairing)
    return fellow


def _jpeg():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def as_alumnus():
    client = Client()
    client.force_login(FellowFactory(user=UserFactory()).user)
    return client


def as_staff():
    client = Client()
    client.force_login(StaffUserFactory())
    return client


def public_pages(wang):
    """Every public page that shows, or could show, this fellow."""
    story = StoryFactory(title="Monitoring the Lancang together", fellows=[wang])
    event = EventFactory(title="Rivers webinar")
    SpeakerFactory(event=event, name="A river keeper from Yunnan", fellow=wang)
    return {
        "profile": wang.get_absolute_url(),
        "fellows": reverse("fellows:list"),
        "home": reverse("home"),
        "organization": wang.organization.get_absolute_url(),
        "partner": wang.pairing.european_organization.get_absolute_url(),
        "round": wang.pairing.round.get_absolute_url(),
        "topic": wang.pairing.topic.get_absolute_url(),
        "story": story.get_absolute_url(),
        "event": event.get_absolute_url(),
        "search for his role": reverse("search") + "?q=River+keeper",
        "sitemap": "/sitemap.xml",
        "subscribe to him": reverse("subscriptions:subscribe") + f"?fellow={wang.public_key}",
    }


def test_the_public_sees_initials_and_nothing_that_identifies_him(client, wang):
    for page, url in public_pages(wang).items():
        response = client.get(url)
        assert response.status_code == 200, page
        body = response.content.decode()
        for secret in (NAME, NAME_ZH, SLUG, EMAIL, LINK, wang.photo.name.split("/")[-1][:20]):
            assert secret not in body, f"{page} shows {secret!r}"

    profile = text(client.get(wang.get_absolute_url()))
    assert "W. J." in profile
    assert ORGANIZATION not in profile
    assert "Wetlands Europe" not in profile
    assert "Twelve years of community water monitoring." in profile  # the biography is public


def test_pages_that_list_organisations_do_not_place_him_in_one(client, wang):
    for url in (
        wang.organization.get_absolute_url(),
        wang.pairing.european_organization.get_absolute_url(),
        wang.pairing.round.get_absolute_url(),
        wang.pairing.topic.get_absolute_url(),
    ):
        page = text(client.get(url))
        assert "Eva de Vries" in page, url  # the pairing's public fellow is listed…
        assert "W. J." not in page, url  # …he is not


@pytest.mark.parametrize(
    "query",
    [
        {"q": ORGANIZATION},
        {"organization": "lancang-rivers-network"},
        {"country": "CN"},
        {"topic": "river-basins"},
        {"q": NAME},
        {"q": NAME_ZH},
    ],
)
def test_filters_and_search_do_not_match_what_he_hides(client, wang, query):
    """(The pages repeat what was typed, so they are checked for him, not for the words.)"""
    for url in (reverse("fellows:list"), reverse("search")):
        body = client.get(url, query).content.decode()
        assert "W. J." not in body, url
        assert wang.get_absolute_url() not in body, url


def test_his_slug_does_not_confirm_the_name(client, wang):
    assert client.get(f"/fellows/{SLUG}/").status_code == 404
    assert wang.get_absolute_url() == f"/fellows/profile-{wang.pk}/"
    # …nor does a guessed slug preselect him in the subscription form.
    page = client.get(reverse("subscriptions:subscribe"), {"fellow": SLUG}).content.decode()
    assert f'value="{wang.pk}" checked' not in page


def test_alumni_see_his_name_and_links_but_not_his_photo_or_organisation(wang):
    profile = as_alumnus().get(wang.get_absolute_url())
    body = profile.content.decode()
    assert NAME in body
    assert NAME_ZH in body
    assert EMAIL in body
    assert LINK in body
    assert ORGANIZATION not in body
    assert "avatar-initials" in body
    # and the search finds him by name, but not by organisation
    alumnus = as_alumnus()
    assert NAME in text(alumnus.get(reverse("fellows:list"), {"q": "Wang"}))
    assert NAME not in text(alumnus.get(reverse("fellows:list"), {"q": ORGANIZATION}))


def test_staff_see_everything(wang):
    staff = as_staff()
    body = staff.get(wang.get_absolute_url()).content.decode()
    assert NAME in body
    assert ORGANIZATION in body
    assert EMAIL in body
    assert "/renditions/portrait-v1/" in body  # the photo
    assert NAME in text(staff.get(wang.organization.get_absolute_url()))


def test_a_fellow_with_no_recorded_consent_shows_initials_and_no_photo(client, pairing):
    fellow = FellowFactory(name="Chen Hui", pairing=pairing, without_consent=True)
    fellow.photo.save("chen.jpg", ContentFile(_jpeg()))

    body = client.get(fellow.get_absolute_url()).content.decode()

    assert "C. H." in body
    assert "Chen Hui" not in body
    assert "avatar-initials" in body
    assert "/renditions/" not in body
    assert "Green Watershed" not in text(client.get(fellow.get_absolute_url()))


def test_outside_a_request_fellows_are_shown_as_to_the_public(wang):
    assert str(wang) == "W. J."
    assert wang.shown_organization is None
    assert wang.shown_photo is None
    with viewing_as(StaffUserFactory()):
        assert str(wang) == NAME


def test_emails_name_him_as_the_public_sees_him(wang, django_capture_on_commit_callbacks):
    """The confirmation email lists what the reader chose to follow."""
    # A client and an address of its own: sign-up limits count in the shared cache.
    client = Client(REMOTE_ADDR=f"198.51.100.{uuid.uuid4().int % 250}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscriptions:subscribe") + f"?fellow={wang.pk}",
            {
                "email": f"reader-{uuid.uuid4().hex[:12]}@example.org",
                "fellows": [wang.pk],
                "frequency": "immediate",
                "language": "en",
            },
        )
    assert response.status_code == 302, text(response)[:2000]
    (message,) = mail.outbox
    assert "W. J." in message.body
    for secret in (NAME, NAME_ZH, ORGANIZATION):
        assert secret not in message.body
        assert secret not in message.alternatives[0][0]


def test_the_public_key_of_a_public_fellow_is_the_slug(fellow):
    assert fellow.public_key == "anna-schmidt"
    assert list(Fellow.objects.with_public_keys(["anna-schmidt"])) == [fellow]
    assert list(Fellow.objects.with_public_keys([str(fellow.pk)])) == [fellow]
    assert list(Fellow.objects.with_public_keys(["²", "\u0663", "x" * 40])) == []


def test_the_sitemap_lists_only_profiles_with_public_names(client, wang, fellow):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert fellow.get_absolute_url() in sitemap
    assert wang.get_absolute_url() not in sitemap


def test_a_profile_without_a_public_name_is_not_for_search_engines(client, wang, fellow):
    assert (
        '<meta name="robots" content="noindex">'
        in client.get(wang.get_absolute_url()).content.decode()
    )
    assert "noindex" not in client.get(fellow.get_absolute_url()).content.decode()


def test_a_public_profile_reached_by_number_moves_to_its_slug(client, fellow):
    response = client.get(reverse("fellows:detail_by_number", kwargs={"pk": fellow.pk}))
    assert response.status_code == 301
    assert response["Location"] == "/fellows/anna-schmidt/"


def test_his_place_in_the_list_says_no_more_than_his_initials(client, wang):
    """Between Wang Hui and Wang Li, "W. J." would tell that his name is Wang J…; he sorts
    by his first letter instead, before every public name that starts with it."""
    names = ["Wang Hui", "Wang Li", "Anna Berg", "Zhou Bo"]
    for name in names:
        FellowFactory(name=name)
    for visitor, expected in [
        (client, ["Anna Berg", "W. J.", "Wang Hui", "Wang Li", "Zhou Bo"]),
        (as_alumnus(), ["Anna Berg", "Wang Hui", "Wang Jian", "Wang Li", "Zhou Bo"]),
    ]:
        page = visitor.get(reverse("fellows:list")).content.decode()
        cards = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)
        assert [card for card in cards if card in [*names, NAME, "W. J."]] == expected


@pytest.mark.parametrize("organization", ["lancang-rivers-network", "wetlands-europe"])
def test_an_organisation_filter_keeps_the_shown_order(organization, wang):
    """(DISTINCT and the order by a computed name must go together on PostgreSQL.)"""
    response = as_alumnus().get(reverse("fellows:list"), {"organization": organization})
    assert response.status_code == 200
