"""Every image and file upload in the admin is judged by content, with a clear form error.

Real POSTs to the admin change pages: a rejected file is a message on the form and leaves no
file behind (neither in MEDIA_ROOT nor among Django's temporary upload files); an accepted
image is stored re-encoded, without its EXIF.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events.models import Event
from fellows.models import Fellow
from organizations.models import Organization
from stories.models import Story
from tests.common.admin import change_form_data
from tests.common.test_uploads import image_bytes, png_header_only
from tests.events.factories import EventFactory
from tests.fellows.factories import FellowFactory
from tests.html import text
from tests.organizations.factories import EuropeanOrganizationFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

UPLOADS = {
    # model: (factory, image field, admin change view)
    "story": (StoryFactory, "cover", "admin:stories_story_change"),
    "event": (EventFactory, "cover", "admin:events_event_change"),
    "fellow": (FellowFactory, "photo", "admin:fellows_fellow_change"),
    "organization": (
        EuropeanOrganizationFactory,
        "logo",
        "admin:organizations_organization_change",
    ),
}


@pytest.fixture
def upload_dirs(settings, tmp_path):
    """Small uploads stay in memory; anything over 1 kB goes to a temporary file we watch."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return Path(settings.MEDIA_ROOT), settings.FILE_UPLOAD_TEMP_DIR


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def submit(admin_client, kind, obj, field, upload):
    url = reverse(UPLOADS[kind][2], args=[obj.pk])
    data = change_form_data(admin_client, url)
    data[field] = upload
    return admin_client.post(url, data)


@pytest.mark.parametrize("kind", sorted(UPLOADS))
def test_every_admin_image_field_refuses_a_file_that_is_not_an_image(
    admin_client, upload_dirs, kind
):
    factory, field, _ = UPLOADS[kind]
    obj = factory()
    svg = SimpleUploadedFile(
        "picture.png",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'>" + b" " * 2048 + b"</svg>",
        content_type="image/png",
    )

    response = submit(admin_client, kind, obj, field, svg)

    assert response.status_code == 200
    assert "This is not a JPEG, PNG or WebP image." in text(response)
    obj.refresh_from_db()
    assert not getattr(obj, field)
    media, temporary = upload_dirs
    assert files_in(media) == []
    assert files_in(temporary) == []


def test_a_20000_by_20000_logo_is_a_form_error_not_a_warning(admin_client, upload_dirs):
    organization = EuropeanOrganizationFactory()
    bomb = SimpleUploadedFile("logo.png", png_header_only(20000, 20000), "image/png")

    response = submit(admin_client, "organization", organization, "logo", bomb)

    assert response.status_code == 200
    assert "The image has too many pixels; the limit is 40 megapixels." in text(response)
    assert files_in(upload_dirs[0]) == []


def test_a_truncated_jpeg_cover_is_a_form_error(admin_client, upload_dirs):
    event = EventFactory()
    data = image_bytes("JPEG", size=(800, 600))
    cut = SimpleUploadedFile("cover.jpg", data[: len(data) // 2], "image/jpeg")

    response = submit(admin_client, "event", event, "cover", cut)

    assert response.status_code == 200
    assert "The image file is damaged or incomplete." in text(response)
    assert files_in(upload_dirs[0]) == []
    assert files_in(upload_dirs[1]) == []


def test_a_png_named_pdf_is_refused_as_a_report(admin_client, upload_dirs):
    story = StoryFactory(kind="report")
    png = SimpleUploadedFile("report-2016.pdf", image_bytes("PNG", (200, 200)), "application/pdf")

    response = submit(admin_client, "story", story, "report_file", png)

    assert response.status_code == 200
    assert "This is not a complete PDF file." in text(response)
    story.refresh_from_db()
    assert not story.report_file
    assert files_in(upload_dirs[0]) == []


def test_a_real_pdf_report_is_stored_under_a_pdf_name(admin_client, upload_dirs):
    story = StoryFactory(kind="report")
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n" + b"%" * 2048 + b"\ntrailer\n%%EOF\n"
    upload = SimpleUploadedFile("report-2016.html", pdf, "text/html")

    response = submit(admin_client, "story", story, "report_file", upload)

    assert response.status_code == 302, text(response)[:3000]
    story.refresh_from_db()
    assert story.report_file.name == "stories/reports/report-2016.pdf"
    with story.report_file.open("rb") as stored:
        assert stored.read() == pdf


def test_a_portrait_with_gps_exif_is_stored_without_it(admin_client, upload_dirs):
    fellow = FellowFactory()
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 12.0), 4: (13.0, 24.0, 36.0)}  # GPSInfo: where it was taken
    exif[0x010F] = "PhoneMaker"
    original = image_bytes("JPEG", size=(640, 480), exif=exif.tobytes())
    upload = SimpleUploadedFile("Portrait.JPEG", original, "image/jpeg")

    response = submit(admin_client, "fellow", fellow, "photo", upload)

    assert response.status_code == 302, text(response)[:3000]
    fellow.refresh_from_db()
    # Named by chance (the upload's name may be the person's), with its real format's suffix.
    assert re.fullmatch(r"fellows/photos/[0-9a-f]{32}\.jpg", fellow.photo.name)
    with fellow.photo.open("rb") as photo:
        stored = photo.read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 480)
        assert not image.getexif()
    assert files_in(upload_dirs[1]) == []


@pytest.mark.parametrize(
    ("kind", "model"),
    [("story", Story), ("event", Event), ("fellow", Fellow), ("organization", Organization)],
)
def test_the_file_inputs_offer_only_the_formats_the_site_takes(admin_client, kind, model):
    factory, field, view = UPLOADS[kind]
    obj = factory()

    html = admin_client.get(reverse(view, args=[obj.pk])).content.decode()

    assert f'accept="image/jpeg,image/png,image/webp" id="id_{field}"' in html
    if model is Story:
        assert 'accept="application/pdf" id="id_report_file"' in html
