"""Story workflows with side effects. Telling subscribers is the subscriptions app's job:
it calls `story_publish` and then records its deliveries in the same transaction.

The editorial workflow, as the author and the editors see it:

    draft ──story_submit──▶ in review ──story_approve──▶ scheduled ──(beat)──▶ published
      ▲                        │   │                         │
      └──story_send_back───────┘   └──story_approve (now)────┴──────────────▶ published

Authors (staff, and fellows with an account) write and submit; only holders of
`stories.publish_story` (the Editors group) approve, schedule or send back. A story sent back
is a draft again, with the editor's comment for its author.
"""

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fellows.models import Fellow

from .models import Story, is_writer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from organizations.models import Topic

PUBLISH_PERMISSION = "stories.publish_story"
# Paths under /stories/ that a story's slug must not shadow.
RESERVED_SLUGS = {"feed", "keywords", "mine", "write"}


@transaction.atomic
def story_publish(*, story: Story, at: datetime.datetime | None = None) -> Story:
    """Make a story public, now or at `at` (a time in the future keeps it scheduled)."""
    story.published_at = at or story.published_at or timezone.now()
    story.status = (
        Story.Status.SCHEDULED if story.published_at > timezone.now() else Story.Status.PUBLISHED
    )
    story.full_clean()
    story.save()
    return story


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200].strip("-") or "story"
    if base in RESERVED_SLUGS:
        base = f"{base}-story"
    taken = set(
        Story.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _locked(story: Story) -> Story:
    """The story's row as it is in the database now, locked until the transaction ends:
    an editor's decision and an author's save never cross."""
    return Story.objects.select_for_update().get(pk=story.pk)


@transaction.atomic
def story_save_draft(
    *, story: Story, by: "User", topics: "Iterable[Topic] | None" = None
) -> Story:
    """Save what an author wrote on the site as a draft (a new story, or their own draft).

    A new story belongs to `by`, starts as a draft, gets a unique slug from its title and is
    about its author when they are a fellow. Raises PermissionDenied for anyone else.
    """
    is_new = story.pk is None
    if is_new:
        if not is_writer(by):
            raise PermissionDenied(_("Only staff and fellows write stories."))
        story.author = by
        story.status = Story.Status.DRAFT
        story.published_at = None
        story.slug = _unique_slug(story.title)
    else:
        current = _locked(story)
        if not current.is_editable_by(by):
            raise PermissionDenied(_("Only its author edits a story, and only as a draft."))
        story.status = current.status
        story.author_id = current.author_id
        never_public = current.published_at is None or current.published_at > timezone.now()
        if story.title != current.title and never_public:
            story.slug = _unique_slug(story.title, exclude_pk=story.pk)  # follows the title
    story.full_clean()
    story.save()
    if topics is not None:
        story.topics.set(topics)
    if is_new:
        fellow = Fellow.objects.filter(user=by).first()
        if fellow is not None:
            story.fellows.add(fellow)
    return story


@transaction.atomic
def story_submit(*, story: Story, by: "User") -> Story:
    """The author hands their draft to the editors."""
    current = _locked(story)
    if current.author_id is None or current.author_id != by.pk:
        raise PermissionDenied(_("Only its author submits a story for review."))
    if current.status != Story.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be submitted; this story is %(status)s.")
            % {"status": current.get_status_display().lower()},
            code="not_a_draft",
        )
    missing = {
        field: ValidationError(_("Write this before you submit the story."), code="required")
        for field in ("summary", "body")
        if not getattr(current, field).strip()
    }
    if missing:
        raise ValidationError(missing)
    current.status = Story.Status.REVIEW
    current.submitted_at = timezone.now()
    current.full_clean()
    current.save()
    _refresh(story, current)
    return story


def _require_publisher(user: "User") -> None:
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only editors approve, schedule and publish stories."))


@transaction.atomic
def story_send_back(*, story: Story, by: "User", comment: str) -> Story:
    """An editor returns a story in review (or scheduled) to its author, with a comment:
    it is a draft again, which the author may edit and submit anew."""
    _require_publisher(by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"review_comment": _("Tell the author what to change.")}, code="required"
        )
    current = _locked(story)
    if current.status not in (Story.Status.REVIEW, Story.Status.SCHEDULED):
        raise ValidationError(
            _("Only a story in review or scheduled can be sent back; this one is %(status)s.")
            % {"status": current.get_status_display().lower()},
            code="not_in_review",
        )
    current.status = Story.Status.DRAFT
    current.review_comment = comment
    current.reviewed_by = by
    current.reviewed_at = timezone.now()
    current.full_clean()
    current.save()
    _refresh(story, current)
    return story


@transaction.atomic
def story_approve(*, story: Story, by: "User", at: datetime.datetime | None = None) -> Story:
    """An editor approves a story in review: published now, or scheduled for `at` (a time
    in the future), when beat publishes it. Also moves a scheduled story to another time,
    or publishes it now. Announcing it to subscribers is the caller's (subscriptions)."""
    _require_publisher(by)
    now = timezone.now()
    if at is not None and at <= now:
        raise ValidationError(
            {"published_at": _("Choose a time in the future, or publish it now.")},
            code="past",
        )
    current = _locked(story)
    if current.status not in (Story.Status.REVIEW, Story.Status.SCHEDULED):
        raise ValidationError(
            _("Only a story in review or scheduled can be approved; this one is %(status)s.")
            % {"status": current.get_status_display().lower()},
            code="not_in_review",
        )
    current.reviewed_by = by
    current.reviewed_at = now
    current.review_comment = ""
    story_publish(story=current, at=at or now)
    _refresh(story, current)
    return story


def _refresh(story: Story, current: Story) -> None:
    """Give the caller's instance the saved values (it may be a stale copy)."""
    if story is not current:
        story.refresh_from_db()
