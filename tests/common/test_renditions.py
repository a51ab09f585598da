"""Responsive renditions: WebP and a JPEG/PNG fallback at a few widths, drawn once, cached,
and rendered through one {% picture %} tag without a database query."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from common.renditions import renditions_for, renditions_forget
from tests.common.test_uploads import image_bytes
from tests.fellows.factories import FellowFactory
from tests.html import parse
from tests.organizations.factories import EuropeanOrganizationFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def png_with_transparency(size=(400, 400)):
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((200, 40, 40, 255), (50, 50, size[0] - 50, size[1] - 50))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def story_with_cover(size=(1200, 675), image_format="JPEG", **kwargs):
    story = StoryFactory(**kwargs)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    story.cover.save(f"cover.{extension}", ContentFile(image_bytes(image_format, size)))
    return story


def rendition_files(settings) -> dict[str, int]:
    root = Path(settings.MEDIA_ROOT) / "renditions"
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def decoded(url, settings):
    name = url.removeprefix(settings.MEDIA_URL)
    with default_storage.open(name, "rb") as file, Image.open(file) as image:
        return image.format, image.size


def test_a_cover_gets_webp_and_jpeg_at_three_widths(settings):
    story = story_with_cover()

    renditions = renditions_for(story.cover, "cover")

    assert [r.width for r in renditions.renditions] == [400, 800, 1200]
    assert renditions.fallback_type == "image/jpeg"
    for rendition in renditions.renditions:
        size = (rendition.width, rendition.height)
        assert decoded(rendition.webp_url, settings) == ("WEBP", size)
        assert decoded(rendition.fallback_url, settings) == ("JPEG", size)
    assert renditions.largest.height == 675


def test_a_small_image_is_never_enlarged(settings):
    story = story_with_cover(size=(600, 300))

    renditions = renditions_for(story.cover, "cover")

    assert [(r.width, r.height) for r in renditions.renditions] == [(400, 200), (600, 300)]


def test_portraits_are_cropped_square_for_the_round_avatars(settings):
    fellow = FellowFactory()
    fellow.photo.save("portrait.jpg", ContentFile(image_bytes("JPEG", (480, 640))))

    renditions = renditions_for(fellow.photo, "portrait")

    assert [(r.width, r.height) for r in renditions.renditions] == [(160, 160), (320, 320)]


def test_a_transparent_logo_keeps_its_transparency_in_a_png_fallback(settings):
    organization = EuropeanOrganizationFactory()
    organization.logo.save("logo.png", ContentFile(png_with_transparency()))

    renditions = renditions_for(organization.logo, "logo")

    assert renditions.fallback_type == "image/png"
    assert decoded(renditions.largest.fallback_url, settings) == ("PNG", (320, 320))
    name = renditions.largest.webp_url.removeprefix(settings.MEDIA_URL)
    with default_storage.open(name, "rb") as file, Image.open(file) as image:
        assert image.mode == "RGBA"


def test_renditions_are_drawn_once_and_survive_a_cold_cache(settings):
    story = story_with_cover()
    first = renditions_for(story.cover, "cover")
    files = rendition_files(settings)

    again = renditions_for(story.cover, "cover")
    renditions_forget(story.cover, "cover")  # as after a cache restart: the manifest in
    # storage is read, nothing is redrawn
    cold = renditions_for(story.cover, "cover")

    assert again == first == cold
    assert rendition_files(settings) == files
    assert len(files) == 7  # 3 widths × (WebP + JPEG) + the manifest


def test_new_pixels_under_the_same_name_get_new_rendition_names(settings):
    story = story_with_cover()
    before = renditions_for(story.cover, "cover")

    name = story.cover.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(image_bytes("PNG", (1000, 500))))
    renditions_forget(story.cover, "cover")  # (uploads never reuse a name; this is by hand)
    after = renditions_for(story.cover, "cover")

    assert after.largest.fallback_url != before.largest.fallback_url
    assert after.largest.width == 1000


@pytest.mark.parametrize("content", [None, b"not an image at all"], ids=["missing", "garbage"])
def test_a_missing_or_broken_source_shows_the_original_and_never_fails(client, content):
    story = StoryFactory()
    story.cover.name = "stories/covers/gone.jpg"
    story.save()
    if content is not None:
        default_storage.save("stories/covers/gone.jpg", ContentFile(content))

    assert renditions_for(story.cover, "cover") is None
    for url in (story.get_absolute_url(), reverse("stories:list"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200, url
        sources = [img["src"] for img in parse(response).images]
        assert "/media/stories/covers/gone.jpg" in sources


def test_the_picture_tag_offers_webp_with_a_fallback(settings):
    story = story_with_cover()
    template = Template(
        '{% load media_tags %}{% picture story.cover "cover" sizes="50vw" alt=story.cover_alt %}'
    )

    story.cover_alt = 'Fellows "on" <the> river'
    html = template.render(Context({"story": story}))

    assert html.startswith('<picture><source type="image/webp" srcset="')
    webp = html.split('srcset="')[1].split('"')[0]
    assert [entry.rsplit(" ", 1)[1] for entry in webp.split(", ")] == ["400w", "800w", "1200w"]
    assert all(entry.split(" ")[0].endswith(".webp") for entry in webp.split(", "))
    assert 'sizes="50vw"' in html
    assert 'width="1200" height="675"' in html
    assert 'alt="Fellows &quot;on&quot; &lt;the&gt; river"' in html
    assert 'loading="lazy"' in html
    img_src = html.split("<img")[1].split(' src="')[1].split('"')[0]
    assert img_src.endswith("/800.jpg")


def test_an_empty_image_renders_nothing():
    html = Template('{% load media_tags %}{% picture image "cover" %}').render(
        Context({"image": None})
    )

    assert html == ""


def test_a_list_of_24_cards_costs_no_query_for_its_images_and_reads_no_source_twice(
    client, settings
):
    plain = [StoryFactory() for _ in range(24)]
    with CaptureQueriesContext(connection) as without_covers:
        client.get(reverse("stories:list"))
    for story in plain:
        story.cover.save("cover.jpg", ContentFile(image_bytes("JPEG", (1200, 675))))

    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("stories:list"))
    # Take the sources away: the next request must not need them (their renditions are
    # remembered in the cache, not looked up again).
    for story in plain:
        default_storage.delete(story.cover.name)
    with CaptureQueriesContext(connection) as second:
        again = client.get(reverse("stories:list"))

    assert len(first) == len(second) == len(without_covers)
    covers = [img["src"] for img in parse(again).images if "/renditions/" in img["src"]]
    assert len(covers) == 24
    assert covers == [img["src"] for img in parse(response).images if "/renditions/" in img["src"]]
    assert again.content.decode().count('<source type="image/webp"') == 24


def test_avatars_and_logos_use_their_renditions(client, fellow, settings):
    fellow.photo.save("anna.jpg", ContentFile(image_bytes("JPEG", (480, 480))))
    organization = fellow.organization
    organization.logo.save("germanwatch.png", ContentFile(png_with_transparency()))

    fellow_page = client.get(fellow.get_absolute_url())
    organization_page = client.get(organization.get_absolute_url())

    photo = next(i for i in parse(fellow_page).images if "avatar-lg" in i.get("class", ""))
    assert f"/renditions/portrait-v1/{fellow.photo.name.rsplit('.', 1)[0]}-" in photo["src"]
    assert photo["alt"] == "Photo of Anna Schmidt"
    assert (photo["width"], photo["height"]) == ("192", "192")
    logo = next(i for i in parse(organization_page).images if "logo-lg" in i.get("class", ""))
    assert logo["src"].endswith("/320.png")
    assert logo["alt"] == "Logo of Germanwatch"


def test_an_event_page_shows_its_cover(client, upcoming_event):
    upcoming_event.cover.save("workshop.png", ContentFile(image_bytes("PNG", (1200, 675))))

    page = parse(client.get(upcoming_event.get_absolute_url()))

    covers = [img for img in page.images if "/renditions/cover-v1/events/covers/" in img["src"]]
    assert len(covers) == 1
    assert covers[0]["alt"] == ""
