"""`manage.py seed_demo`: rich demo content, idempotent, every image present.

The command runs twice for the whole module (it draws images, so it is not instant); each
test then reads the seeded database inside its own rolled-back transaction. The module
empties the database again when it is done.
"""

from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import authenticate
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count, Max
from django.test import override_settings

from common import renditions
from events.models import Event, Speaker
from fellows.models import Fellow
from organizations.models import ExchangeRound, Organization, Pairing, Topic
from stories.models import Keyword, Story
from subscriptions.models import Delivery, Newsletter, StoryAnnouncement, Subscriber
from tests.html import parse, text
from tests.stories.factories import StoryFactory
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Topic,
    ExchangeRound,
    Organization,
    Pairing,
    Fellow,
    Keyword,
    Story,
    Event,
    Speaker,
    Newsletter,
]
FILE_FIELDS = {
    Organization: ["logo"],
    Fellow: ["photo"],
    Story: ["cover", "report_file"],
    Event: ["cover"],
}


def snapshot():
    """Row counts, latest `updated_at` and the set of slugs/keys of every demo model."""
    state = {}
    for model in MODELS:
        rows = model.objects.all()
        state[model.__name__] = (rows.count(), rows.aggregate(latest=Max("updated_at"))["latest"])
    state["story links"] = (
        Story.fellows.through.objects.count(),
        Story.organizations.through.objects.count(),
        Story.topics.through.objects.count(),
        Story.keywords.through.objects.count(),
    )
    return state


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def media_files(root: Path):
    return {
        str(path.relative_to(root)): path.stat().st_mtime_ns
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def seeded_site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("seed-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        try:
            output = seed()
            first, first_files = snapshot(), media_files(media)
            seed()
            yield SimpleNamespace(
                media=media,
                output=output,
                first=first,
                first_files=first_files,
                second=snapshot(),
                second_files=media_files(media),
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(seeded_site, settings):
    settings.MEDIA_ROOT = seeded_site.media
    return seeded_site


def test_seed_demo_fills_the_site_like_the_real_programme(seeded):
    assert Fellow.objects.count() >= 60
    assert Organization.objects.count() >= 60
    european_countries = (
        Organization.objects.european().values("country").distinct().exclude(country="CN")
    )
    assert european_countries.count() >= 10
    provinces = Organization.objects.chinese().exclude(province="").values("province").distinct()
    assert provinces.count() >= 8
    assert Pairing.objects.count() >= 30

    years = set(ExchangeRound.objects.public().values_list("year", flat=True))
    assert set(range(2013, 2018)) <= years
    assert Pairing.objects.filter(round__year=2013).count() == 5

    kinds = dict(Story.objects.published().values_list("kind").annotate(n=Count("id")))
    assert set(kinds) == set(Story.Kind.values), kinds
    assert Story.objects.published().count() >= 40

    assert Event.objects.count() >= 12
    assert Event.objects.upcoming().exists()
    assert Event.objects.past().exists()


def test_every_pairing_twins_a_european_and_a_chinese_organisation(seeded):
    assert not Pairing.objects.exclude(european_organization__region="europe").exists()
    assert not Pairing.objects.exclude(chinese_organization__region="china").exists()


def test_fellows_travel_from_their_side_of_the_pairing(seeded):
    for fellow in Fellow.objects.for_cards().exclude(pairing=None):
        assert fellow.host_organization is not None
        assert fellow.host_organization != fellow.organization
        expected = "eu-cn" if fellow.organization.is_european else "cn-eu"
        assert fellow.direction == expected, fellow


def test_seed_uses_the_programmes_real_names_and_facts(seeded):
    c20 = Event.objects.filter(title__icontains="C20")
    assert c20.filter(city__icontains="Hamburg", starts_at__year=2017).exists()
    assert Event.objects.filter(title__icontains="alumni").exists()
    assert Story.objects.filter(kind=Story.Kind.REPORT, title__icontains="2016").exists()
    assert Fellow.objects.with_testimonial().count() >= 3


def test_seed_demo_twice_changes_nothing(seeded):
    assert seeded.second == seeded.first
    assert seeded.second_files == seeded.first_files


def test_every_image_and_file_referenced_exists_in_storage(seeded):
    missing = []
    referenced = 0
    for model, fields in FILE_FIELDS.items():
        for obj in model.objects.all():
            for name in fields:
                file = getattr(obj, name)
                if file:
                    referenced += 1
                    if not default_storage.exists(file.name):
                        missing.append(f"{model.__name__} {obj.pk} {name}: {file.name}")
    assert referenced > 0
    assert missing == []


def test_seed_draws_the_renditions_of_every_curated_image(seeded, settings, monkeypatch):
    """The first visitor of a list page finds them drawn: every {% picture %} of a seeded
    image is served from files the seed wrote (the snapshot taken right after it), and
    nothing is left to draw."""

    def must_not_draw(*args):
        raise AssertionError("seed_demo left a rendition to be drawn by the first visitor")

    monkeypatch.setattr(renditions, "_draw", must_not_draw)
    pictures = [
        (Fellow, "photo", "portrait"),
        (Organization, "logo", "logo"),
        (Story, "cover", "cover"),
        (Event, "cover", "cover"),
    ]
    seeded_images = 0
    for model, field, spec in pictures:
        for obj in model.objects.exclude(**{field: ""}):
            image = getattr(obj, field)
            renditions.renditions_forget(image, spec)  # from storage, not from the cache
            found = renditions.renditions_for(image, spec)
            assert found is not None, image.name
            for rendition in found.renditions:
                for url in (rendition.webp_url, rendition.fallback_url):
                    name = urlsplit(url).path.removeprefix(settings.MEDIA_URL)
                    assert name in seeded.first_files, url
            seeded_images += 1
    assert seeded_images > 100
    assert f"Renditions of {seeded_images} images ready" in seeded.output


def test_demo_pages_have_images(seeded):
    assert Organization.objects.exclude(logo="").count() == Organization.objects.count()
    assert Story.objects.exclude(cover="").exists()


def test_no_demo_staff_account_outside_development(seeded):
    assert authenticate(email="demo@twinning.example", password="demo") is None


def test_demo_staff_account_in_development(seeded, settings):
    settings.DEBUG = True

    seed()

    demo = authenticate(email="demo@twinning.example", password="demo")
    assert demo is not None
    assert demo.is_staff


def test_scale_adds_volume_data_once(seeded):
    call_command("seed_demo", scale=1, stdout=StringIO())
    scaled = snapshot()
    call_command("seed_demo", scale=1, stdout=StringIO())

    assert scaled["Fellow"][0] >= 2 * seeded.first["Fellow"][0]
    assert snapshot() == scaled


def demo_urls():
    urls = ["/", "/about/", "/topics/", "/rounds/", "/organizations/", "/fellows/", "/stories/"]
    urls.extend(["/events/", "/newsletters/"])
    for model in (Topic, ExchangeRound, Organization, Fellow, Keyword, Event, Newsletter):
        urls.extend(obj.get_absolute_url() for obj in model.objects.all()[:5])
    urls.extend(story.get_absolute_url() for story in Story.objects.published()[:10])
    for kind in Story.Kind.values:
        story = Story.objects.published().of_kind(kind).first()
        urls.append(story.get_absolute_url())
    return urls


def image_exists(src, settings):
    path = urlsplit(src).path
    if path.startswith(settings.MEDIA_URL):
        return default_storage.exists(path.removeprefix(settings.MEDIA_URL))
    if path.startswith(settings.STATIC_URL):
        return finders.find(path.removeprefix(settings.STATIC_URL)) is not None
    return src.startswith("data:")


def test_every_demo_page_renders_clean_with_no_broken_image(client, seeded, settings):
    """Walk one of everything on the seeded site: no 500, no inline script or style, every
    image has alt text and points at a file that exists."""
    media_images = 0
    for url in demo_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        assert page.inline_scripts == [], url
        assert page.style_attributes == [], url
        assert page.style_elements == 0, url
        for image in page.images:
            assert "alt" in image, (url, image)
            assert image_exists(image.get("src", ""), settings), (url, image.get("src"))
            media_images += image.get("src", "").startswith(settings.MEDIA_URL)
    assert media_images > 20, "the demo pages show its generated portraits, logos and covers"


def test_demo_newsletters_fill_the_public_archive(client, seeded):
    archive = text(client.get("/newsletters/"))

    newsletters = Newsletter.objects.sent()
    assert newsletters.count() >= 3
    assert Newsletter.objects.count() == newsletters.count()  # every one has been sent
    for newsletter in newsletters:
        assert newsletter.subject in archive
        page = client.get(newsletter.get_absolute_url())
        assert page.status_code == 200
        assert newsletter.subject in text(page)
    assert Newsletter.objects.filter(subject__icontains="2027").exists()


def test_loading_the_demo_newsletters_sends_nothing(
    seeded, mailoutbox, django_capture_on_commit_callbacks
):
    """The archive is history: seeding it must not mail the subscribers of the day."""
    Newsletter.objects.all().delete()
    SubscriberFactory(email="news@example.org", follows_all_news=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()

    assert Newsletter.objects.sent().count() >= 3
    assert callbacks == []
    assert mailoutbox == []
    assert not Delivery.objects.exists()
    assert not StoryAnnouncement.objects.exists()


def test_reset_in_development_clears_newsletters_and_subscribers(seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the seeded site's files stay for the other tests
    settings.DEBUG = True
    subscriber = SubscriberFactory(email="tried-it-by-hand@example.org")
    Delivery.objects.create(subscriber=subscriber, kind="story", story=StoryFactory())

    out = StringIO()
    call_command("seed_demo", reset_only=True, stdout=out)

    assert not Newsletter.objects.exists()
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()
    assert "1 subscribers" in out.getvalue()


def test_reset_outside_development_keeps_real_subscribers(seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    SubscriberFactory(email="real@example.org")

    call_command("seed_demo", reset_only=True, stdout=StringIO())

    assert not Newsletter.objects.exists()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["real@example.org"]
