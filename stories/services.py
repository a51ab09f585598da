"""Story workflows with side effects. Telling subscribers is the subscriptions app's job:
it calls `story_publish` and then records its deliveries in the same transaction."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import Story


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
