"""A fellow keeps their own profile: nobody else's, with clear errors and nothing lost."""

import io
import pathlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from fellows.models import Fellow
from fellows.visibility import Audience
from tests.accounts.factories import StaffUserFactory, UserFactory
from tests.common.admin import change_form_data
from tests.common.test_uploads import png_header_only
from tests.fellows.factories import FellowFactory
from tests.html import text

pytestmark = pytest.mark.django_db


def jpeg(size=(300, 300), exif=None):
    buffer = io.BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new("RGB", size, "teal").save(buffer, "JPEG", **options)
    return buffer.getvalue()


@pytest.fixture
def anna(fellow):
    fellow.user = UserFactory(email="anna@twinning.example")
    fellow.name_visibility = Audience.STAFF
    fellow.photo_visibility = Audience.STAFF
    fellow.organization_visibility = Audience.STAFF
    fellow.links_visibility = Audience.STAFF
    fellow.consent_recorded_at = None
    fellow.save()
    return fellow


def form_data(**changes):
    data = {
        "role": "Policy advisor",
        "biography": "I work on climate policy in Bonn.",
        "testimonial": "The exchange changed how I see our work.",
        "contact_email": "",
        "links": "",
        "name_visibility": "0",
        "photo_visibility": "0",
        "organization_visibility": "1",
        "links_visibility": "2",
    }
    data.update(changes)
    return data


def test_a_fellow_saves_the_profile_with_consent_and_confirmation(client, anna):
    client.force_login(anna.user)
    photo = SimpleUploadedFile("anna-schmidt-passport.jpg", jpeg(), "image/jpeg")

    response = client.post(anna.edit_url(), form_data(photo=photo), follow=True)

    assert "Your profile is saved" in text(response)
    anna.refresh_from_db()
    assert anna.biography == "I work on climate policy in Bonn."
    assert anna.name_visibility == Audience.PUBLIC
    assert anna.organization_visibility == Audience.ALUMNI
    assert anna.consent_recorded_by == anna.user
    assert anna.consent_recorded_at is not None
    assert anna.confirmed_at is not None
    assert not anna.is_stale
    # stored under a random name, not the uploaded one
    assert re.fullmatch(r"fellows/photos/[0-9a-f]{32}\.jpg", anna.photo.name)
    # and the public now sees the name and photo, but not the organisation
    client.logout()
    public = client.get(anna.get_absolute_url())
    assert "Anna Schmidt" in text(public)
    assert "/renditions/portrait-v1/" in public.content.decode()
    assert "Germanwatch" not in text(public)


def test_the_edit_page_of_any_other_profile_is_a_404(client, anna, chinese_fellow):
    other_user = UserFactory()
    chinese_fellow.user = other_user
    chinese_fellow.save()
    client.force_login(anna.user)

    assert client.get(chinese_fellow.edit_url()).status_code == 404
    assert client.post(chinese_fellow.edit_url(), form_data()).status_code == 404
    chinese_fellow.refresh_from_db()
    assert chinese_fellow.biography != "I work on climate policy in Bonn."


@pytest.mark.parametrize(
    "who", ["staff", "signed-in without a profile", "fellow of another profile"]
)
def test_nobody_but_the_owner_edits_on_the_site(client, anna, who):
    if who == "staff":
        client.force_login(StaffUserFactory(is_superuser=True))
    elif who == "signed-in without a profile":
        client.force_login(UserFactory())
    else:
        client.force_login(FellowFactory(user=UserFactory()).user)
    assert client.get(anna.edit_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, anna):
    response = client.get(anna.edit_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_me_leads_a_fellow_to_their_own_edit_page(client, anna):
    client.force_login(anna.user)
    assert client.get(reverse("fellows:mine"))["Location"] == anna.edit_url()
    client.force_login(UserFactory())
    assert client.get(reverse("fellows:mine")).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("photo.pdf", jpeg()[:600], "image/jpeg"), "Upload a"),
        (
            SimpleUploadedFile("report.jpg", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "image/jpeg"),
            "This is not a JPEG, PNG or WebP image.",
        ),
        (
            SimpleUploadedFile("me.png", png_header_only(20000, 20000), "image/png"),
            "The image has too many pixels; the limit is 40 megapixels.",
        ),
    ],
    ids=["truncated JPEG", "a PDF named .jpg", "20000 x 20000"],
)
def test_a_bad_photo_is_a_clear_error_and_loses_nothing(client, anna, upload, message, settings):
    client.force_login(anna.user)
    response = client.post(
        anna.edit_url(), form_data(biography="Written with care.", photo=upload)
    )

    assert response.status_code == 200
    page = text(response)
    assert "Your profile was not saved" in page
    assert message in page
    # what was typed is still in the form
    assert "Written with care." in response.content.decode()
    anna.refresh_from_db()
    assert anna.biography != "Written with care."
    assert not anna.photo
    photos = pathlib.Path(settings.MEDIA_ROOT, "fellows", "photos")
    assert not photos.exists() or not any(photos.iterdir())


def test_links_must_be_web_addresses(client, anna):
    client.force_login(anna.user)
    response = client.post(
        anna.edit_url(), form_data(links="https://example.org\njavascript:alert(1)")
    )
    assert response.status_code == 200
    assert "is not a web address" in text(response)
    too_many = "\n".join(f"https://example.org/{n}" for n in range(6))
    assert "at most 5 links" in text(client.post(anna.edit_url(), form_data(links=too_many)))


def test_a_visibility_outside_the_choices_is_refused(client, anna):
    client.force_login(anna.user)
    response = client.post(anna.edit_url(), form_data(name_visibility="-1"))
    assert response.status_code == 200
    assert Fellow.objects.get(pk=anna.pk).name_visibility == Audience.STAFF


def test_links_on_the_profile_are_nofollow_and_plain_text(client, anna):
    client.force_login(anna.user)
    client.post(
        anna.edit_url(),
        form_data(links="https://example.org/<b>anna</b>", links_visibility="0"),
    )
    anna.refresh_from_db()
    client.logout()
    body = client.get(anna.get_absolute_url()).content.decode()
    assert "<b>anna</b>" not in body
    assert 'rel="nofollow noopener noreferrer"' in body


def test_stale_profiles_for_staff(anna, chinese_fellow):
    chinese_fellow.confirmed_at = timezone.now()
    chinese_fellow.save()
    old = FellowFactory(confirmed_at=timezone.now() - timezone.timedelta(days=400))

    stale = set(Fellow.objects.stale())

    assert anna in stale  # never confirmed
    assert old in stale
    assert chinese_fellow not in stale


def test_the_public_profile_says_when_it_was_last_confirmed(client, anna):
    anna.confirmed_at = timezone.make_aware(timezone.datetime(2026, 3, 2, 12))
    anna.name_visibility = Audience.PUBLIC
    anna.save()
    assert "Profile last confirmed by the fellow on 2 March 2026" in text(
        client.get(anna.get_absolute_url())
    )


def test_a_removed_photo_is_deleted_with_its_renditions(
    client, anna, settings, django_capture_on_commit_callbacks
):
    client.force_login(anna.user)
    photo = SimpleUploadedFile("me.jpg", jpeg(), "image/jpeg")
    client.post(anna.edit_url(), form_data(photo=photo))
    anna.refresh_from_db()
    assert anna.photo
    assert "/renditions/portrait-v1/" in client.get(anna.get_absolute_url()).content.decode()
    media = pathlib.Path(settings.MEDIA_ROOT)
    assert any(media.glob("renditions/**/*.webp"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(anna.edit_url(), form_data(remove_photo="on"))

    anna.refresh_from_db()
    assert not anna.photo
    assert [path for path in media.rglob("*") if path.is_file()] == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"biography": "I am Anna Schmidt from Bonn.", "name_visibility": "1"},
            "biography",
            "Anna Schmidt",
        ),
        (
            {"testimonial": "At Germanwatch we learned a lot.", "organization_visibility": "2"},
            "testimonial",
            "Germanwatch",
        ),
    ],
    ids=["hidden name in the biography", "hidden organization in the quote"],
)
def test_what_is_hidden_may_not_be_spelled_out_in_public_texts(
    client, anna, changes, field, words
):
    client.force_login(anna.user)
    response = client.post(anna.edit_url(), form_data(**changes))
    assert response.status_code == 200
    assert f"“{words}” is written here, but you chose not to show it to everyone" in text(response)
    anna.refresh_from_db()
    assert anna.consent_recorded_at is None  # nothing saved


def test_a_public_name_may_be_written_anywhere(client, anna):
    client.force_login(anna.user)
    response = client.post(
        anna.edit_url(), form_data(biography="I am Anna Schmidt.", name_visibility="0")
    )
    assert response.status_code == 302


def test_the_owner_sees_a_styled_way_to_edit_from_the_profile(client, anna, chinese_fellow):
    client.force_login(anna.user)
    own = client.get(anna.get_absolute_url()).content.decode()
    assert f'href="{anna.edit_url()}"' in own
    assert "css/editorial" in own  # the banner's styles
    other = client.get(chinese_fellow.get_absolute_url()).content.decode()
    assert "Edit your profile" not in other


def media_files(settings):
    return [path for path in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


@pytest.fixture
def anna_with_photo(anna, settings):
    """Anna's public photo, uploaded by her, with the renditions her profile page draws."""
    client = Client()
    client.force_login(anna.user)
    photo = SimpleUploadedFile("me.jpg", jpeg(), "image/jpeg")
    client.post(anna.edit_url(), form_data(photo=photo))
    client.logout()
    anna.refresh_from_db()
    assert "/renditions/portrait-v1/" in client.get(anna.get_absolute_url()).content.decode()
    assert len(media_files(settings)) > 1  # the photo and its renditions
    return anna


def test_a_photo_replaced_in_the_admin_is_deleted_with_its_renditions(
    manager_client, anna_with_photo, settings, django_capture_on_commit_callbacks
):
    anna = anna_with_photo
    old_photo = anna.photo.name
    consent_recorded_at = anna.consent_recorded_at
    url = reverse("admin:fellows_fellow_change", args=[anna.pk])
    data = change_form_data(manager_client, url)
    data["photo"] = SimpleUploadedFile("new.jpg", jpeg(size=(320, 320)), "image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, data)

    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.photo.name != old_photo
    assert [path.name for path in media_files(settings)] == [pathlib.Path(anna.photo.name).name]
    # no consent changed, so none is recorded in the manager's name
    assert anna.consent_recorded_at == consent_recorded_at
    assert anna.consent_recorded_by == anna.user


def test_a_profile_deleted_in_the_admin_takes_its_photo_with_it(
    manager_client, anna_with_photo, settings, django_capture_on_commit_callbacks
):
    url = reverse("admin:fellows_fellow_delete", args=[anna_with_photo.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Fellow.objects.filter(pk=anna_with_photo.pk).exists()
    assert media_files(settings) == []


def test_profiles_deleted_together_in_the_admin_take_their_photos_with_them(
    manager_client, anna_with_photo, settings, django_capture_on_commit_callbacks
):
    other = FellowFactory(photo=SimpleUploadedFile("x.jpg", jpeg(), "image/jpeg"))
    assert len(media_files(settings)) > 2

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("admin:fellows_fellow_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [anna_with_photo.pk, other.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not Fellow.objects.filter(pk__in=[anna_with_photo.pk, other.pk]).exists()
    assert media_files(settings) == []
