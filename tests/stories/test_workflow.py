"""Stories from draft to publication: a fellow (or staff) writes on the site, previews exactly
what readers will see and submits; only editors approve, schedule or send back, in the admin;
subscribers hear of a story once, when it becomes public.

Roles: anonymous, a plain signed-in user, the fellow who wrote the story (author), another
fellow, an editor and a programme manager (the two staff groups of twinning/groups.py).
"""

import datetime
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from stories import services
from stories.models import Story
from subscriptions import services as subscription_services
from subscriptions.models import Delivery
from tests.accounts.factories import UserFactory
from tests.common.test_uploads import png_header_only
from tests.html import has_link, parse, text
from tests.stories.factories import StoryFactory
from twinning.groups import EDITORS, PROGRAMME_MANAGERS, staff_groups_sync

pytestmark = pytest.mark.django_db

WRITE = reverse("stories:write")
MINE = reverse("stories:mine")
STORY_LIST = reverse("admin:stories_story_changelist")
ROLES = ["anonymous", "plain", "author", "other_fellow", "editor", "manager"]
BANNER = "Preview — not published"


# ------------------------------------------------------------------------------
# People and their browsers
# ------------------------------------------------------------------------------
@pytest.fixture
def people(fellow, chinese_fellow):
    """Anna Schmidt (a fellow) writes; Li Wei is another fellow; then the staff."""
    staff_groups_sync()
    author = UserFactory(email="anna@twinning.example", name="Anna Schmidt")
    fellow.user = author
    fellow.save()
    other_fellow = UserFactory(email="li@twinning.example", name="Li Wei")
    chinese_fellow.user = other_fellow
    chinese_fellow.save()
    editor = UserFactory(email="editor@twinning.example", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    manager = UserFactory(email="manager@twinning.example", is_staff=True)
    manager.groups.add(Group.objects.get(name=PROGRAMME_MANAGERS))
    return SimpleNamespace(
        anonymous=None,
        plain=UserFactory(email="reader@twinning.example"),
        author=author,
        other_fellow=other_fellow,
        editor=editor,
        manager=manager,
    )


@pytest.fixture
def browser_of(people):
    """A test client signed in as one of the roles (anonymous: not signed in)."""

    def open_as(role):
        client = Client()
        user = getattr(people, role)
        if user is not None:
            client.force_login(user)
        return client

    return open_as


def write(by, *, topics=(), **fields):
    """What the write form does: a draft saved through the service."""
    values = {
        "title": "Eight weeks by the Lancang river",
        "kind": Story.Kind.FELLOW_STORY,
        "summary": "What Green Watershed taught a Bonn policy advisor.",
        "body": "## Arriving\n\nWe met the *river communities* first.",
    }
    return services.story_save_draft(story=Story(**(values | fields)), by=by, topics=topics)


@pytest.fixture
def draft(people, topic):
    return write(people.author, topics=[topic])


@pytest.fixture
def submitted(people, draft):
    return services.story_submit(story=draft, by=people.author)


def form_data(action="save", **changes):
    data = {
        "title": "Eight weeks by the Lancang river",
        "kind": "fellow-story",
        "summary": "What Green Watershed taught a Bonn policy advisor.",
        "body": "## Arriving\n\nWe met the *river communities* first.",
        "cover_alt": "",
        "action": action,
    }
    return data | changes


def login_url():
    return resolve_url(settings.LOGIN_URL)


def refreshed(story):
    story.refresh_from_db()
    return story


# ------------------------------------------------------------------------------
# The workflow, through the services
# ------------------------------------------------------------------------------
def test_a_fellow_writes_submits_and_an_editor_publishes(people, fellow, topic):
    story = write(people.author, topics=[topic])

    assert story.status == Story.Status.DRAFT
    assert story.author == people.author
    assert story.slug == "eight-weeks-by-the-lancang-river"
    assert list(story.fellows.all()) == [fellow]  # a fellow's story is about them
    assert list(story.topics.all()) == [topic]
    assert not Story.objects.published().exists()

    services.story_submit(story=story, by=people.author)
    assert story.status == Story.Status.REVIEW
    assert story.submitted_at is not None

    services.story_approve(story=story, by=people.editor)
    assert story.status == Story.Status.PUBLISHED
    assert story.is_published
    assert story.reviewed_by == people.editor
    assert list(Story.objects.published()) == [story]


@pytest.mark.parametrize("role", ["author", "other_fellow", "plain", "manager"])
def test_only_editors_approve_or_send_back(people, submitted, role):
    user = getattr(people, role)

    with pytest.raises(PermissionDenied):
        services.story_approve(story=submitted, by=user)
    with pytest.raises(PermissionDenied):
        services.story_approve(
            story=submitted, by=user, at=timezone.now() + datetime.timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.story_send_back(story=submitted, by=user, comment="Shorter, please.")

    assert refreshed(submitted).status == Story.Status.REVIEW


def test_staff_allowed_to_change_stories_still_cannot_publish_them(submitted):
    """Every story permission but publish_story: a writer, not an editor."""
    writer = UserFactory(is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="stories").exclude(
            codename="publish_story"
        )
    )

    with pytest.raises(PermissionDenied):
        services.story_approve(story=submitted, by=writer)
    assert refreshed(submitted).status == Story.Status.REVIEW


def test_a_superuser_may_publish(submitted, admin_user):
    services.story_approve(story=submitted, by=admin_user)

    assert refreshed(submitted).is_published


def test_approving_with_a_future_time_schedules_the_story(people, submitted, client):
    at = timezone.now() + datetime.timedelta(days=2)

    services.story_approve(story=submitted, by=people.editor, at=at)

    story = refreshed(submitted)
    assert story.status == Story.Status.SCHEDULED
    assert story.published_at == at
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.title not in text(client.get(reverse("stories:list")))


def test_a_past_time_is_refused_when_approving(people, submitted):
    with pytest.raises(ValidationError, match="future"):
        services.story_approve(
            story=submitted, by=people.editor, at=timezone.now() - datetime.timedelta(hours=1)
        )
    assert refreshed(submitted).status == Story.Status.REVIEW


def test_a_draft_is_not_approved_before_it_is_submitted(people, draft):
    with pytest.raises(ValidationError, match="in review"):
        services.story_approve(story=draft, by=people.editor)

    assert refreshed(draft).status == Story.Status.DRAFT


def test_a_story_sent_back_is_a_draft_with_the_editors_comment(people, submitted):
    services.story_send_back(story=submitted, by=people.editor, comment="Add the photo credit.")

    story = refreshed(submitted)
    assert story.status == Story.Status.DRAFT
    assert story.is_sent_back
    assert story.review_comment == "Add the photo credit."
    assert story.is_editable_by(people.author)

    # Revised and submitted again, then approved: the comment has done its job.
    services.story_submit(story=story, by=people.author)
    services.story_approve(story=story, by=people.editor)
    assert refreshed(story).review_comment == ""
    assert story.is_published


def test_sending_back_needs_a_comment(people, submitted):
    with pytest.raises(ValidationError):
        services.story_send_back(story=submitted, by=people.editor, comment="   ")

    assert refreshed(submitted).status == Story.Status.REVIEW


def test_only_the_author_submits_and_only_a_complete_draft(people, topic):
    story = write(people.author, summary="", body="")

    with pytest.raises(PermissionDenied):
        services.story_submit(story=story, by=people.other_fellow)
    with pytest.raises(ValidationError) as refused:
        services.story_submit(story=story, by=people.author)
    assert set(refused.value.error_dict) == {"summary", "body"}

    services.story_save_draft(story=_with(story, body="Text."), by=people.author)
    with pytest.raises(ValidationError):
        services.story_submit(story=story, by=people.author)  # still no summary


def _with(story, **fields):
    story = Story.objects.get(pk=story.pk)
    for name, value in fields.items():
        setattr(story, name, value)
    return story


def test_a_submitted_story_is_no_longer_the_authors_to_edit(people, submitted):
    submitted.title = "Changed behind the editors' backs"

    with pytest.raises(PermissionDenied):
        services.story_save_draft(story=submitted, by=people.author)
    with pytest.raises(ValidationError):
        services.story_submit(story=submitted, by=people.author)  # not a draft any more

    assert refreshed(submitted).title == "Eight weeks by the Lancang river"


def test_someone_elses_draft_cannot_be_saved(people, draft):
    draft.title = "Hijacked"

    with pytest.raises(PermissionDenied):
        services.story_save_draft(story=draft, by=people.other_fellow)
    with pytest.raises(PermissionDenied):
        services.story_save_draft(story=draft, by=people.editor)  # editors use the admin


def test_only_staff_and_fellows_write(people):
    with pytest.raises(PermissionDenied):
        write(people.plain)

    assert write(people.manager, title="A note from the programme").author == people.manager
    assert not write(people.manager, title="Another note").fellows.exists()


def test_the_address_follows_the_title_until_publication_and_never_shadows_a_page(people):
    first = write(people.author, title="Write")
    second = write(people.author, title="Write")
    chinese = write(people.author, title="在昆明的八周")

    assert first.slug == "write-story"  # /stories/write/ is the form
    assert second.slug == "write-story-2"
    assert chinese.slug == "story"

    first = services.story_save_draft(story=_with(first, title="Rivers"), by=people.author)
    assert first.slug == "rivers"


# ------------------------------------------------------------------------------
# Who may open which page
# ------------------------------------------------------------------------------
def assert_status(response, expected):
    if expected == 302:
        assert response.status_code == 302
        assert response["Location"].startswith(login_url())
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("plain", 403),
        ("author", 200),
        ("other_fellow", 200),
        ("editor", 200),
        ("manager", 200),
    ],
)
def test_who_may_open_the_write_page_and_my_stories(browser_of, role, expected):
    browser = browser_of(role)

    assert_status(browser.get(WRITE), expected)
    assert_status(browser.get(MINE), expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("plain", 403),
        ("author", 200),
        ("other_fellow", 404),
        ("editor", 404),  # editors change stories in the admin
        ("manager", 404),
    ],
)
def test_who_may_edit_a_draft(browser_of, draft, role, expected):
    browser = browser_of(role)

    assert_status(browser.get(draft.get_edit_url()), expected)
    response = browser.post(draft.get_edit_url(), form_data(title="Taken over"))

    assert refreshed(draft).title == (
        "Taken over" if role == "author" else "Eight weeks by the Lancang river"
    )
    if role != "author":
        assert_status(response, expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("plain", 404),
        ("author", 200),
        ("other_fellow", 404),
        ("editor", 200),
        ("manager", 200),  # staff who may view stories in the admin
    ],
)
@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_who_may_preview_an_unpublished_story(browser_of, request, state, role, expected):
    story = request.getfixturevalue(state)
    response = browser_of(role).get(story.get_preview_url())

    assert response.status_code == expected
    if expected == 200:
        assert BANNER in text(response)
        assert "Eight weeks by the Lancang river" in text(response)
        assert "private" in response["Cache-Control"]


def test_staff_without_story_permissions_get_no_preview(draft):
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    assert client.get(draft.get_preview_url()).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_an_unpublished_story_stays_404_on_the_public_site_for_everyone(
    browser_of, request, state, role
):
    story = request.getfixturevalue(state)

    assert browser_of(role).get(story.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("plain", 403),
        ("author", 302),  # back to "My stories", submitted
        ("other_fellow", 404),
        ("editor", 404),
        ("manager", 404),
    ],
)
def test_who_may_submit_a_draft(browser_of, draft, role, expected):
    response = browser_of(role).post(draft.get_edit_url(), form_data("submit"))

    if role == "author":
        assert response.status_code == 302
        assert response["Location"] == MINE
        assert refreshed(draft).status == Story.Status.REVIEW
    else:
        assert_status(response, expected)
        assert refreshed(draft).status == Story.Status.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_approve_in_the_admin(browser_of, submitted, role):
    response = browser_of(role).post(
        STORY_LIST,
        {"action": "approve_and_publish", "_selected_action": [submitted.pk], "index": 0},
    )

    story = refreshed(submitted)
    if role == "editor":
        assert story.status == Story.Status.PUBLISHED
    else:
        assert story.status == Story.Status.REVIEW
        assert response.status_code in (200, 302, 403)


def test_programme_managers_are_not_offered_the_review_actions(browser_of, submitted):
    manager_page = browser_of("manager").get(STORY_LIST).content.decode()
    editor_page = browser_of("editor").get(STORY_LIST).content.decode()

    for action in ("approve_and_publish", "approve_and_schedule", "send_back"):
        assert f'value="{action}"' not in manager_page
        assert f'value="{action}"' in editor_page


# ------------------------------------------------------------------------------
# Writing on the site
# ------------------------------------------------------------------------------
def test_a_fellow_saves_a_new_draft_and_keeps_editing_it(browser_of, people, topic):
    browser = browser_of("author")

    response = browser.post(WRITE, form_data(topics=[topic.pk]))

    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == story.get_edit_url()
    assert (story.status, story.author, list(story.topics.all())) == (
        Story.Status.DRAFT,
        people.author,
        [topic],
    )
    page = browser.get(story.get_edit_url())
    assert "Draft saved." in text(page)
    assert "We met the *river communities* first." in page.content.decode()

    browser.post(story.get_edit_url(), form_data(summary="Shorter."))
    assert refreshed(story).summary == "Shorter."
    assert Story.objects.count() == 1


def test_the_write_page_explains_markdown_and_offers_the_three_actions(browser_of):
    response = browser_of("author").get(WRITE)
    page = parse(response)

    assert "Markdown" in page.text
    html = response.content.decode()
    assert re.findall(r'<button[^>]*name="action" value="(\w+)"', html) == [
        "save",
        "preview",
        "submit",
    ]
    kinds = re.findall(r'<label for="id_kind_\d">([^<]*)</label>', html)
    assert kinds == ["News", "Fellow story"]  # videos and reports are the editors'


def test_preview_saves_the_draft_and_shows_it_as_readers_will(browser_of, people, topic):
    browser = browser_of("author")

    response = browser.post(WRITE, form_data("preview", topics=[topic.pk]))

    story = Story.objects.get()
    assert response["Location"] == story.get_preview_url()
    preview = browser.get(story.get_preview_url())
    assert BANNER in text(preview)
    assert has_link(preview, story.get_edit_url())
    assert "<em>river communities</em>" in preview.content.decode()


def article(response):
    """The story as the page shows it, without its publication date (a draft has none)."""
    html = response.content.decode()
    body = re.search(r"<article.*?</article>", html, re.DOTALL).group(0)
    return re.sub(r"<time[^>]*>.*?</time>", "", body)


def test_the_preview_is_exactly_the_public_page(browser_of, people, submitted, client):
    preview = browser_of("author").get(submitted.get_preview_url())

    services.story_approve(story=submitted, by=people.editor)
    public = client.get(submitted.get_absolute_url())

    assert public.status_code == 200
    assert BANNER not in text(public)
    assert article(preview) == article(public)
    # Once public, the preview is the public page.
    assert browser_of("author").get(submitted.get_preview_url())["Location"] == (
        submitted.get_absolute_url()
    )


def test_submitting_from_the_form_hands_the_story_to_the_editors(browser_of, draft):
    browser = browser_of("author")

    response = browser.post(draft.get_edit_url(), form_data("submit"), follow=True)

    assert refreshed(draft).status == Story.Status.REVIEW
    page = text(response)
    assert "is submitted" in page
    assert "With the editors" in page
    # No longer editable here: the edit page sends the author back to their list.
    again = browser.get(draft.get_edit_url(), follow=True)
    assert again.redirect_chain[-1][0] == MINE
    assert "can no longer be edited" in text(again)


def test_an_incomplete_story_is_not_submitted(browser_of):
    response = browser_of("author").post(WRITE, form_data("submit", summary="", body=""))

    assert response.status_code == 200
    assert text(response).count("Write this before you submit the story.") == 2
    assert not Story.objects.exists()


def test_my_stories_shows_each_state_and_the_editors_comment(browser_of, people, topic):
    draft = write(people.author, title="Still writing")
    in_review = write(people.author, title="With the editors now")
    services.story_submit(story=in_review, by=people.author)
    returned = write(people.author, title="Needs another look")
    services.story_submit(story=returned, by=people.author)
    services.story_send_back(
        story=returned, by=people.editor, comment="Please name the <b>village</b>."
    )
    published = write(people.author, title="Out in the world")
    services.story_submit(story=published, by=people.author)
    services.story_approve(story=published, by=people.editor)
    write(people.other_fellow, title="Someone else's story")

    response = browser_of("author").get(MINE)

    page = text(response)
    for title in ("Still writing", "With the editors now", "Needs another look", "Out in"):
        assert title in page
    assert "Someone else's story" not in page
    assert "Sent back to you" in page
    assert "Please name the <b>village</b>." in page  # shown as typed, escaped
    assert "Published on" in page
    assert has_link(response, draft.get_edit_url())
    assert has_link(response, returned.get_edit_url())
    assert has_link(response, in_review.get_preview_url())
    assert has_link(response, published.get_absolute_url())

    edit = browser_of("author").get(returned.get_edit_url())
    assert "The editor’s comment" in text(edit)
    assert "Please name the <b>village</b>." in text(edit)


# ------------------------------------------------------------------------------
# The cover image
# ------------------------------------------------------------------------------
def jpeg_with_location(size=(120, 60)):
    exif = Image.Exif()
    exif[0x8825] = {2: (25.0, 2.0, 30.0)}  # GPSInfo: Kunming's latitude
    exif[0x010F] = "PhoneMaker"
    output = io.BytesIO()
    Image.new("RGB", size, (15, 110, 100)).save(output, "JPEG", exif=exif.tobytes())
    return output.getvalue()


def truncated_jpeg():
    data = jpeg_with_location(size=(400, 300))
    return data[: len(data) // 2]


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_cover_is_stored_re_encoded_without_its_location(browser_of, settings):
    upload = SimpleUploadedFile("river.JPG", jpeg_with_location(), content_type="image/jpeg")

    response = browser_of("author").post(
        WRITE, form_data(cover=upload, cover_alt="Boats on the river")
    )

    assert response.status_code == 302
    story = Story.objects.get()
    assert story.cover.name.startswith("stories/covers/river")
    assert story.cover.name.endswith(".jpg")
    data = Path(story.cover.path).read_bytes()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
    assert files_in(Path(settings.MEDIA_ROOT)) == [Path(story.cover.path)]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.jpg", b"%PDF-1.7\n%%EOF\n", "This is not a JPEG, PNG or WebP image."),
        ("script.png", b"<svg onload=alert(1)/>", "This is not a JPEG, PNG or WebP image."),
        ("cut.jpg", truncated_jpeg(), "The image file is damaged or incomplete."),
        ("huge.png", png_header_only(20000, 20000), "The image has too many pixels"),
    ],
    ids=["pdf-named-jpg", "svg-named-png", "truncated-jpeg", "20000x20000"],
)
def test_a_rejected_cover_is_a_form_error_and_leaves_no_file(
    browser_of, settings, draft, name, data, message
):
    browser = browser_of("author")

    for url in (WRITE, draft.get_edit_url()):
        response = browser.post(url, form_data(cover=SimpleUploadedFile(name, data)))

        assert response.status_code == 200
        assert message in text(response)
        assert "The story was not saved" in text(response)
    assert Story.objects.count() == 1
    assert not refreshed(draft).cover
    assert files_in(Path(settings.MEDIA_ROOT)) == []


# ------------------------------------------------------------------------------
# The editors' actions in the admin, and the emails to subscribers
# ------------------------------------------------------------------------------
def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.fixture
def followers(confirmed_subscriber, news_subscriber):
    """A follower of the story's topic and an all-news reader."""
    return ["news@example.org", "reader@example.org"]


def test_approve_and_publish_in_the_admin_tells_the_followers_once(
    browser_of, submitted, followers, mailoutbox, django_capture_on_commit_callbacks
):
    editor = browser_of("editor")
    action = {"action": "approve_and_publish", "_selected_action": [submitted.pk], "index": 0}

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(STORY_LIST, action, follow=True)

    assert refreshed(submitted).is_published
    page = text(response)
    assert "1 story approved and published." in page
    assert "2 subscribers will be told about this story." in page
    assert recipients(mailoutbox) == followers
    assert {message.subject for message in mailoutbox} == {submitted.title}

    # Clicked again (or published again by beat): nobody hears of it twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = editor.post(STORY_LIST, action, follow=True)
        subscription_services.stories_publish_due()
    assert "skipped" in text(again)
    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(story=submitted).count() == 2


def test_approve_from_the_storys_own_page(
    browser_of, submitted, followers, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("admin:stories_story_change", args=[submitted.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = browser_of("editor").post(
            url,
            {"CHANGE_FORM-action": "approve_and_publish", "_selected_action": [submitted.pk]},
        )

    assert response.status_code == 302
    assert refreshed(submitted).is_published
    assert recipients(mailoutbox) == followers


def test_approve_and_schedule_then_beat_publishes_and_announces_once(
    browser_of, people, submitted, followers, mailoutbox, django_capture_on_commit_callbacks
):
    Story.objects.filter(pk=submitted.pk).update(
        published_at=timezone.now() + datetime.timedelta(days=1)
    )
    action = {"action": "approve_and_schedule", "_selected_action": [submitted.pk], "index": 0}

    with django_capture_on_commit_callbacks(execute=True):
        response = browser_of("editor").post(STORY_LIST, action, follow=True)
        subscription_services.stories_publish_due()  # beat, a minute later: not yet

    story = refreshed(submitted)
    assert story.status == Story.Status.SCHEDULED
    assert "will be published on" in text(response)
    assert mailoutbox == []

    # Its time comes.
    Story.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert subscription_services.stories_publish_due() == 1
        assert subscription_services.stories_publish_due() == 0

    assert refreshed(story).status == Story.Status.PUBLISHED
    assert recipients(mailoutbox) == followers


def test_approve_with_a_future_time_via_the_service_is_published_by_beat_once(
    people, submitted, followers, mailoutbox, django_capture_on_commit_callbacks
):
    services.story_approve(
        story=submitted, by=people.editor, at=timezone.now() + datetime.timedelta(hours=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert subscription_services.stories_publish_due() == 0
    assert refreshed(submitted).status == Story.Status.SCHEDULED

    Story.objects.filter(pk=submitted.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert subscription_services.stories_publish_due() == 1
        assert subscription_services.stories_publish_due() == 0

    assert refreshed(submitted).is_published
    assert recipients(mailoutbox) == followers


def test_schedule_needs_a_future_time(browser_of, submitted, mailoutbox):
    action = {"action": "approve_and_schedule", "_selected_action": [submitted.pk], "index": 0}

    response = browser_of("editor").post(STORY_LIST, action, follow=True)

    assert "set a publication time in the future" in text(response)
    assert refreshed(submitted).status == Story.Status.REVIEW


def test_send_back_asks_for_a_comment_then_returns_the_story(browser_of, people, submitted):
    editor = browser_of("editor")
    action = {"action": "send_back", "_selected_action": [submitted.pk], "index": 0}

    question = editor.post(STORY_LIST, action)
    assert question.status_code == 200
    assert 'name="comment"' in question.content.decode()
    assert submitted.title in text(question)
    assert refreshed(submitted).status == Story.Status.REVIEW

    confirm = {"action": "send_back", "_selected_action": [submitted.pk], "send_back_comment": 1}
    empty = editor.post(STORY_LIST, confirm | {"comment": ""})
    assert empty.status_code == 200
    assert "This field is required." in text(empty)
    assert refreshed(submitted).status == Story.Status.REVIEW

    done = editor.post(STORY_LIST, confirm | {"comment": "Name the village."}, follow=True)
    assert "1 story sent back to its author" in text(done)
    story = refreshed(submitted)
    assert (story.status, story.review_comment, story.reviewed_by) == (
        Story.Status.DRAFT,
        "Name the village.",
        people.editor,
    )
    assert "Name the village." in text(browser_of("author").get(MINE))


def test_send_back_from_the_storys_own_page_returns_to_it(browser_of, submitted):
    editor = browser_of("editor")
    url = reverse("admin:stories_story_change", args=[submitted.pk])

    question = editor.post(
        url, {"CHANGE_FORM-action": "send_back", "_selected_action": [submitted.pk]}
    )
    assert 'name="from_change_form"' in question.content.decode()
    done = editor.post(
        STORY_LIST,
        {
            "action": "send_back",
            "_selected_action": [submitted.pk],
            "send_back_comment": 1,
            "from_change_form": 1,
            "comment": "Shorter.",
        },
    )

    assert done["Location"] == url
    assert refreshed(submitted).is_sent_back


def test_only_editors_change_the_status_in_the_admin(submitted):
    """Staff who may change stories but not publish them see the status, cannot set it."""
    writer = UserFactory(is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="stories").exclude(
            codename="publish_story"
        )
    )
    client = Client()
    client.force_login(writer)
    url = reverse("admin:stories_story_change", args=[submitted.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": submitted.title,
            "slug": submitted.slug,
            "kind": submitted.kind,
            "summary": submitted.summary,
            "body": submitted.body,
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "cover_alt": "",
            "video_url": "",
            "_save": "Save",
        },
    )

    assert 'name="status"' not in page
    assert response.status_code == 302
    assert refreshed(submitted).status == Story.Status.REVIEW


def test_the_review_is_recorded_in_the_storys_history(people, submitted):
    services.story_send_back(story=submitted, by=people.editor, comment="Shorter.")

    statuses = [
        entry.status for entry in Story.history.filter(id=submitted.pk).order_by("history_id")
    ]
    assert statuses == ["draft", "review", "draft"]


def test_my_stories_lists_only_what_the_author_wrote_on_the_site(browser_of, people):
    """A story staff wrote in the admin (no author) is nobody's to edit on the site."""
    StoryFactory(title="Staff wrote this", draft=True)

    response = browser_of("author").get(MINE)

    assert "Staff wrote this" not in text(response)
    assert has_link(response, WRITE)


def test_view_on_site_in_the_admin_opens_the_preview_until_publication(browser_of, submitted):
    url = reverse("admin:stories_story_change", args=[submitted.pk])
    editor = browser_of("editor")

    assert has_link(editor.get(url), submitted.get_preview_url())
    assert editor.get(submitted.get_preview_url()).status_code == 200


# ------------------------------------------------------------------------------
# Query counts: the same at 2 and at 20 stories
# ------------------------------------------------------------------------------
def test_my_stories_costs_the_same_for_2_or_20_stories(
    browser_of, people, topic, django_assert_max_num_queries
):
    browser = browser_of("author")
    counts = []
    for size in (2, 20):
        while Story.objects.written_by(people.author).count() < size:
            story = write(people.author, title="A story", topics=[topic])
            if story.pk % 3 == 0:
                services.story_submit(story=story, by=people.author)
        # session, user, "is a fellow?", the count, the page of stories
        with django_assert_max_num_queries(5) as captured:
            assert browser.get(MINE).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_a_preview_costs_the_same_whatever_the_story_is_about(
    browser_of, people, draft, django_assert_max_num_queries
):
    from tests.fellows.factories import FellowFactory
    from tests.organizations.factories import TopicFactory

    browser = browser_of("author")
    counts = []
    for size in (2, 20):
        draft.topics.add(*[TopicFactory() for _ in range(size - draft.topics.count())])
        draft.fellows.add(*[FellowFactory() for _ in range(size - draft.fellows.count())])
        # session, user, the story with its round, its topics, keywords, organisations,
        # fellows with their organisation, then the related stories and their topics; whether
        # the viewer is a fellow (what they may see of other fellows: fellows.visibility)
        with django_assert_max_num_queries(10) as captured:
            assert browser.get(draft.get_preview_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
