"""Subscribing, announcing and sending: every workflow with side effects of this app.

The outbox in three steps:
1. *Record*: a service inserts one `Delivery` per (subscriber, thing) in the caller's
   transaction (INSERT … SELECT … ON CONFLICT DO NOTHING: one statement, however many
   subscribers, and the unique constraints make a second row impossible).
2. *Enqueue*: on commit, one small task is published. If the broker is down, publication
   still succeeds; the beat sweep finds the queued rows later.
3. *Send*: a worker claims a batch with one conditional UPDATE (only rows still queued or due
   for retry), sends them over one SMTP connection and marks each row sent as soon as the
   server accepted it. A crash leaves at most the message in flight in doubt; claimed rows of
   a dead worker are released by the sweep after the claim timeout.
"""

import contextlib
import datetime
import hashlib
import hmac
import logging
import secrets
import smtplib

from django.conf import settings
from django.core import mail
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from common.tasks import enqueue, enqueue_on_commit
from events.models import Event
from fellows.models import Fellow
from organizations.models import Organization, Topic
from stories.models import Story
from stories.services import story_publish

from . import consent, tokens
from .emails import MessageBuilder
from .models import (
    Consent,
    Delivery,
    EventAnnouncement,
    KindFollow,
    Newsletter,
    StoryAnnouncement,
    Subscriber,
    week_start,
)
from .tasks import deliveries_dispatch as deliveries_dispatch_task
from .tasks import deliveries_send as deliveries_send_task

logger = logging.getLogger(__name__)

Status = Delivery.Status
Kind = Delivery.Kind

# Seconds to wait before attempt 2, 3, …; after the last one a delivery is marked failed.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60, 12 * 60 * 60)
# Stories published longer ago than this are never announced (a late deploy of the beat
# schedule, or an old story re-saved, must not mail the whole list about old news).
ANNOUNCE_WINDOW = datetime.timedelta(days=2)


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def client_hash(value: str) -> str:
    """Keyed hash of an IP address or user agent: evidence for a consent record, not a
    reusable identifier (it cannot be reversed without the secret key)."""
    if not value:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _language(value) -> str:
    """One of the languages emails are written in; English for anything else."""
    return value if value in Subscriber.Language.values else Subscriber.Language.ENGLISH


def _preferences_from(payload: dict) -> dict:
    """Validated follows from a signed payload (ids that no longer exist are dropped)."""
    kinds = [kind for kind in payload.get("kinds", []) if kind in Story.Kind.values]
    frequency = payload.get("frequency")
    return {
        "all_news": bool(payload.get("all_news")),
        "events": bool(payload.get("events")),
        "kinds": kinds,
        "topics": list(
            Topic.objects.filter(pk__in=payload.get("topics", [])).values_list("pk", flat=True)
        ),
        "organizations": list(
            Organization.objects.filter(pk__in=payload.get("organizations", [])).values_list(
                "pk", flat=True
            )
        ),
        "fellows": list(
            Fellow.objects.filter(pk__in=payload.get("fellows", [])).values_list("pk", flat=True)
        ),
        "frequency": frequency
        if frequency in Subscriber.Frequency.values
        else Subscriber.Frequency.IMMEDIATE,
        "language": _language(payload.get("language")),
    }


def preferences_of(subscriber: Subscriber) -> dict:
    """The subscriber's current choices, in the shape the forms and tokens use."""
    return {
        "all_news": subscriber.follows_all_news,
        "events": subscriber.follows_events,
        "kinds": subscriber.followed_kinds,
        "topics": [topic.pk for topic in subscriber.topics.all()],
        "organizations": [organization.pk for organization in subscriber.organizations.all()],
        "fellows": [fellow.pk for fellow in subscriber.fellows.all()],
        "frequency": subscriber.frequency,
        "language": subscriber.language,
    }


# ------------------------------------------------------------------------------
# Subscribers
# ------------------------------------------------------------------------------
@transaction.atomic
def subscription_request(
    *,
    email: str,
    preferences: dict,
    page_language: str,
    source: str = "",
    ip: str = "",
    user_agent: str = "",
) -> None:
    """Someone asked to subscribe (or to change what a known address follows).

    Nothing changes until they confirm: the choices travel in the signed link of the
    confirmation email. The caller shows the same answer whatever happened here, so the
    form tells nobody whether an address is known.
    """
    email = Subscriber.normalize_email(email)
    validate_email(email)  # the form checks it too; a bad address would only bounce
    language = _language(preferences.get("language"))
    subscriber, _created = Subscriber.objects.get_or_create(
        email=email, defaults={"language": language}
    )
    if subscriber.suppressed_at:
        return  # the address bounced: a confirmation request would bounce too
    token = tokens.confirm_token(
        {
            **preferences,  # first: nothing in it may replace the address or the evidence
            "email": email,
            "consent": consent.CURRENT_VERSION,
            "page_language": page_language,
            "source": source[:500],
            "ip": client_hash(ip),
            "ua": client_hash(user_agent),
        }
    )
    delivery = Delivery.objects.create(
        subscriber=subscriber,
        kind=Kind.CONFIRM,
        payload={"token": token, "language": language},
    )
    enqueue_on_commit(deliveries_send_task, [delivery.pk])


class ConfirmOutcome:
    CONFIRMED = "confirmed"  # a new subscription
    UPDATED = "updated"  # a known subscriber's new choices applied
    ALREADY = "already"  # the link was used before: nothing changed


@transaction.atomic
def subscriber_confirm(*, token: str, ip: str = "") -> tuple[Subscriber, str]:
    """Apply a confirmation link: confirm the address, store the choices and the consent.

    Raises tokens.BadToken for an altered or expired link.
    """
    payload, made_at = tokens.read_confirm_token(token)
    email = Subscriber.normalize_email(payload.get("email", ""))
    if not email:
        raise tokens.BadToken("no address in the link")
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
    if subscriber.preferences_changed_at and subscriber.preferences_changed_at >= made_at:
        # Used before, or the choices were changed since this link was sent.
        return subscriber, ConfirmOutcome.ALREADY

    was_active = subscriber.is_active
    now = timezone.now()
    _apply_preferences(subscriber, _preferences_from(payload))
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.unsubscribed_at = None
    subscriber.preferences_changed_at = now
    subscriber.save()
    Consent.objects.create(
        subscriber=subscriber,
        given_at=now,
        version=payload.get("consent") or consent.CURRENT_VERSION,
        text=consent.text(payload.get("consent"), payload.get("page_language")),
        language=payload.get("page_language") or "",
        source=payload.get("source", "")[:500],
        signup_ip_hash=payload.get("ip", ""),
        confirm_ip_hash=client_hash(ip),
        user_agent_hash=payload.get("ua", ""),
    )
    if was_active:
        return subscriber, ConfirmOutcome.UPDATED
    welcome, created = Delivery.objects.get_or_create(
        subscriber=subscriber, kind=Kind.WELCOME, period=timezone.localdate(now)
    )
    if created:
        enqueue_on_commit(deliveries_send_task, [welcome.pk])
    return subscriber, ConfirmOutcome.CONFIRMED


def _apply_preferences(subscriber: Subscriber, preferences: dict) -> None:
    previous_frequency = subscriber.frequency
    subscriber.follows_all_news = preferences["all_news"]
    subscriber.follows_events = preferences["events"]
    subscriber.frequency = preferences["frequency"]
    subscriber.language = preferences["language"]
    if subscriber.pk is None:
        subscriber.save()
    subscriber.topics.set(preferences["topics"])
    subscriber.organizations.set(preferences["organizations"])
    subscriber.fellows.set(preferences["fellows"])
    subscriber.kind_follows.exclude(kind__in=preferences["kinds"]).delete()
    KindFollow.objects.bulk_create(
        [KindFollow(subscriber=subscriber, kind=kind) for kind in preferences["kinds"]],
        ignore_conflicts=True,
    )
    if (
        previous_frequency == Subscriber.Frequency.WEEKLY
        and subscriber.frequency == Subscriber.Frequency.IMMEDIATE
    ):
        # What waited for the digest goes out now, one email each.
        held = subscriber.deliveries.filter(status=Status.HELD)
        ids = list(held.values_list("pk", flat=True))
        held.update(status=Status.QUEUED, updated_at=timezone.now())
        if ids:
            enqueue_on_commit(deliveries_send_task, ids)


@transaction.atomic
def subscriber_update_preferences(*, subscriber: Subscriber, preferences: dict) -> Subscriber:
    """Change follows, frequency and language (from the preference page)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    _apply_preferences(subscriber, _preferences_from(preferences))
    subscriber.preferences_changed_at = timezone.now()
    subscriber.save()
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Leave at once. Idempotent. Emails not yet handed to a worker are cancelled."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at", "updated_at"])
    _cancel_pending(subscriber)
    return subscriber


@transaction.atomic
def subscriber_resubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Come back from the preference page (the signed link proves the address)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.confirmed_at and subscriber.unsubscribed_at:
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["unsubscribed_at", "updated_at"])
    return subscriber


def _cancel_pending(subscriber: Subscriber) -> int:
    """Cancel what no worker holds yet. Bundled rows go too: their digest is cancelled with
    them (or, if a worker is sending it right now, its outcome overwrites theirs)."""
    return subscriber.deliveries.filter(
        status__in=[Status.HELD, Status.BUNDLED, Status.QUEUED, Status.RETRYING]
    ).update(status=Status.CANCELLED, updated_at=timezone.now())


@transaction.atomic
def subscriber_request_access(*, email: str) -> None:
    """Mail a fresh link to the preference page, if the address is a confirmed subscriber.

    The caller answers the same either way.
    """
    subscriber = (
        Subscriber.objects.with_address(email)
        .filter(confirmed_at__isnull=False, suppressed_at__isnull=True)
        .first()
    )
    if subscriber is None:
        return
    delivery = Delivery.objects.create(subscriber=subscriber, kind=Kind.ACCESS)
    enqueue_on_commit(deliveries_send_task, [delivery.pk])


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything stored about a subscriber, for them to download."""
    subscriber = (
        Subscriber.objects.prefetch_related(
            "topics", "organizations", "fellows", "kind_follows", "consents"
        )
        .filter(pk=subscriber.pk)
        .get()
    )

    def moment(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "language": subscriber.language,
        "frequency": subscriber.frequency,
        "subscribed_at": moment(subscriber.created_at),
        "confirmed_at": moment(subscriber.confirmed_at),
        "unsubscribed_at": moment(subscriber.unsubscribed_at),
        "suppressed_at": moment(subscriber.suppressed_at),
        "suppression_reason": subscriber.suppression_reason,
        "follows": {
            "all_programme_news": subscriber.follows_all_news,
            "new_events": subscriber.follows_events,
            "story_kinds": subscriber.followed_kinds,
            "topics": [topic.name for topic in subscriber.topics.all()],
            "organizations": [org.name for org in subscriber.organizations.all()],
            "fellows": [fellow.display_name for fellow in subscriber.fellows.all()],
        },
        "consents": [
            {
                "given_at": moment(record.given_at),
                "text": record.text,
                "language": record.language,
                "signed_up_on": record.source,
                "signup_address_hash": record.signup_ip_hash,
                "confirmation_address_hash": record.confirm_ip_hash,
                "browser_hash": record.user_agent_hash,
            }
            for record in subscriber.consents.all()
        ],
        "emails": [
            {
                "kind": row["kind"],
                "about": row["story__title"] or row["event__title"] or row["newsletter__subject"],
                "status": row["status"],
                "created_at": moment(row["created_at"]),
                "sent_at": moment(row["sent_at"]),
            }
            for row in subscriber.deliveries.order_by("created_at").values(
                "kind",
                "status",
                "created_at",
                "sent_at",
                "story__title",
                "event__title",
                "newsletter__subject",
            )
        ],
    }


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete the subscriber with their follows, consent records and email history."""
    Subscriber.objects.filter(pk=subscriber.pk).delete()


@transaction.atomic
def subscriber_suppress(*, subscriber: Subscriber, reason: str) -> None:
    """The address bounced permanently: send nothing more to it."""
    Subscriber.objects.filter(pk=subscriber.pk, suppressed_at__isnull=True).update(
        suppressed_at=timezone.now(), suppression_reason=reason[:250], updated_at=timezone.now()
    )
    _cancel_pending(subscriber)


def subscribers_purge_unconfirmed(*, older_than: datetime.timedelta) -> int:
    """Forget addresses that never confirmed (data minimisation). Returns how many.

    An address that asked again recently is kept: its fresh confirmation link must work.
    """
    moment = timezone.now() - older_than
    stale = Subscriber.objects.unconfirmed_since(moment).exclude(
        deliveries__created_at__gte=moment
    )
    _total, by_model = stale.delete()
    return by_model.get(Subscriber._meta.label, 0)


# ------------------------------------------------------------------------------
# Announcing: record the outbox rows
# ------------------------------------------------------------------------------
def _record(subscribers, *, kind, story=None, event=None, newsletter=None, hold_weekly=True):
    """INSERT one delivery per subscriber in `subscribers` in a single statement.

    Weekly-digest subscribers get a `held` row that the next digest carries. Rows that
    already exist (a second announcement, a retried task) are skipped by the unique
    constraints. Returns the number of rows inserted.
    """
    select_sql, select_params = (
        subscribers.order_by().values("pk", "frequency").query.sql_with_params()
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    payload = Delivery._meta.get_field("payload").get_db_prep_value({}, connection)
    weekly_status = Status.HELD if hold_weekly else Status.QUEUED
    table = connection.ops.quote_name(Delivery._meta.db_table)
    # The WHERE keeps SQLite's parser from reading ON CONFLICT as a join constraint. Only
    # the quoted table name and the ORM's own compiled SQL are interpolated; values are params.
    sql = (
        f"INSERT INTO {table} (subscriber_id, kind, status, story_id, event_id, newsletter_id,"  # noqa: S608
        " payload, attempts, claim, last_error, created_at, updated_at)"
        " SELECT s.pk, %s, CASE WHEN s.frequency = %s THEN %s ELSE %s END, %s, %s, %s,"
        f" %s, 0, '', '', %s, %s FROM ({select_sql}) s WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    params = [
        kind,
        Subscriber.Frequency.WEEKLY,
        weekly_status,
        Status.QUEUED,
        story.pk if story else None,
        event.pk if event else None,
        newsletter.pk if newsletter else None,
        payload,
        now,
        now,
        *select_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def story_announce(*, story: Story) -> int:
    """Tell everyone who follows the story, once. Returns how many deliveries were recorded.

    Called when a story is published (admin, beat). A story not yet visible, or announced
    before, records nothing.
    """
    if not story.is_published or story.published_at < timezone.now() - ANNOUNCE_WINDOW:
        return 0  # not visible yet, or old news (an old story re-saved in the admin)
    try:
        with transaction.atomic():
            announcement = StoryAnnouncement.objects.create(story=story)
    except IntegrityError:
        return 0  # announced before
    recorded = _record(Subscriber.objects.following(story), kind=Kind.STORY, story=story)
    announcement.recipients = recorded
    announcement.save(update_fields=["recipients"])
    enqueue_on_commit(deliveries_dispatch_task, "story", story.pk)
    return recorded


def stories_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish scheduled stories whose time has come and announce recent unannounced ones.
    Returns how many stories were announced.

    Run by beat every minute; safe to run twice (each story is announced once). Each story
    has its own transaction: one that cannot be published is logged and does not hold up
    the others.
    """
    now = now or timezone.now()
    for story in Story.objects.filter(status=Story.Status.SCHEDULED, published_at__lte=now):
        try:
            with transaction.atomic():
                story_publish(story=story)
        except Exception:
            logger.exception("Could not publish scheduled story %s", story.pk)
    due = Story.objects.published().filter(
        published_at__gte=now - ANNOUNCE_WINDOW, announcement__isnull=True
    )
    announced = 0
    for story in due:
        try:
            with transaction.atomic():
                story_announce(story=story)
            announced += 1
        except Exception:
            logger.exception("Could not announce story %s", story.pk)
    return announced


@transaction.atomic
def event_announce(*, event: Event) -> int:
    """Tell event followers about a new upcoming event, once."""
    if not event.is_upcoming:
        return 0
    try:
        with transaction.atomic():
            announcement = EventAnnouncement.objects.create(event=event)
    except IntegrityError:
        return 0
    recorded = _record(Subscriber.objects.following_events(), kind=Kind.EVENT, event=event)
    announcement.recipients = recorded
    announcement.save(update_fields=["recipients"])
    enqueue_on_commit(deliveries_dispatch_task, "event", event.pk)
    return recorded


@transaction.atomic
def newsletter_send(*, newsletter: Newsletter) -> int:
    """Send a programme newsletter to every news subscriber (digest readers too: it is a
    one-off), and publish it in the archive. Returns how many deliveries were recorded.

    Sending again records nothing for whoever has it already: only news subscribers who
    joined since get it."""
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if newsletter.sent_at is None:
        newsletter.sent_at = timezone.now()
        newsletter.save(update_fields=["sent_at", "updated_at"])
    recorded = _record(
        Subscriber.objects.following_news(),
        kind=Kind.NEWSLETTER,
        newsletter=newsletter,
        hold_weekly=False,
    )
    enqueue_on_commit(deliveries_dispatch_task, "newsletter", newsletter.pk)
    return recorded


@transaction.atomic
def digests_compose(*, now: datetime.datetime | None = None) -> int:
    """Bundle each weekly subscriber's held stories and events into one digest.

    A subscriber with nothing held gets no digest. One digest per subscriber and week (the
    unique constraint), and each held row joins exactly one digest.
    """
    now = now or timezone.now()
    period = week_start(now)
    # A story withdrawn or an event over since it was announced is not worth a line.
    Delivery.objects.filter(status=Status.HELD).filter(
        Q(kind=Kind.STORY) & ~Q(story__in=Story.objects.published())
        | Q(kind=Kind.EVENT) & ~Q(event__in=Event.objects.upcoming())
    ).update(status=Status.CANCELLED, updated_at=now)
    held_by = (
        Delivery.objects.filter(status=Status.HELD, subscriber__in=Subscriber.objects.confirmed())
        .values_list("subscriber_id", flat=True)
        .distinct()
        .order_by("subscriber_id")
    )
    composed, last = [], 0
    # Pages by subscriber id rather than one open cursor: the loop writes to the rows it
    # reads, which SQLite does not isolate from a cursor in progress.
    while page := list(held_by.filter(subscriber_id__gt=last)[:1000]):
        last = page[-1]
        for subscriber_id in page:
            digest, created = Delivery.objects.get_or_create(
                subscriber_id=subscriber_id, kind=Kind.DIGEST, period=period
            )
            if not created:
                continue  # this week's digest is already out; what arrived since waits a week
            Delivery.objects.filter(subscriber_id=subscriber_id, status=Status.HELD).update(
                status=Status.BUNDLED, digest=digest, updated_at=now
            )
            composed.append(digest.pk)
    for start in range(0, len(composed), settings.TWINNING_DELIVERY_BATCH_SIZE):
        enqueue_on_commit(
            deliveries_send_task, composed[start : start + settings.TWINNING_DELIVERY_BATCH_SIZE]
        )
    return len(composed)


# ------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------
def deliveries_dispatch(*, kind: str, object_id: int) -> int:
    """Enqueue the queued deliveries of one story, event or newsletter in batches.

    Stops at the first broker failure: what is left stays queued for the sweep.
    """
    field = {"story": "story_id", "event": "event_id", "newsletter": "newsletter_id"}[kind]
    ids = (
        Delivery.objects.filter(status=Status.QUEUED, **{field: object_id})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _enqueue_in_batches(ids.iterator(chunk_size=5000))


def _enqueue_in_batches(ids) -> int:
    size = settings.TWINNING_DELIVERY_BATCH_SIZE
    batch, enqueued = [], 0
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            if not enqueue(deliveries_send_task, batch):
                return enqueued
            enqueued += len(batch)
            batch = []
    if batch and enqueue(deliveries_send_task, batch):
        enqueued += len(batch)
    return enqueued


def deliveries_sweep(
    *,
    now: datetime.datetime | None = None,
    queued_grace: datetime.timedelta | None = None,
    claim_timeout: datetime.timedelta | None = None,
) -> dict:
    """Beat, every minute: nothing left behind.

    - rows claimed by a worker that died (older than the claim timeout, which is longer
      than a send task may run) are released for another attempt;
    - rows queued for longer than the grace period (their task was lost: the broker was down
      or a worker died before claiming them) and rows due for retry are enqueued again.
    Enqueuing a row twice is harmless: only one worker can claim it.
    """
    now = now or timezone.now()
    if queued_grace is None:
        queued_grace = datetime.timedelta(seconds=settings.TWINNING_DELIVERY_QUEUED_GRACE)
    if claim_timeout is None:
        claim_timeout = datetime.timedelta(seconds=settings.TWINNING_DELIVERY_CLAIM_TIMEOUT)
    released = (
        Delivery.objects.stale(now - claim_timeout)
        .filter(attempts__lt=len(RETRY_DELAYS) + 1)
        .update(status=Status.RETRYING, retry_after=now, claim="", updated_at=now)
    )
    exhausted = Delivery.objects.stale(now - claim_timeout).update(
        status=Status.FAILED,
        claim="",
        last_error="Gave up: the worker sending it stopped.",
        updated_at=now,
    )
    # What a digest carried shares its fate, also when the digest ended outside a worker.
    for final in (Status.FAILED, Status.CANCELLED):
        Delivery.objects.filter(status=Status.BUNDLED, digest__status=final).update(
            status=final, updated_at=now
        )
    due = (
        Delivery.objects.filter(
            Q(status=Status.QUEUED, updated_at__lte=now - queued_grace)
            | Q(status=Status.RETRYING, retry_after__lte=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enqueued = _enqueue_in_batches(due.iterator(chunk_size=5000))
    return {"released": released, "failed": exhausted, "enqueued": enqueued}


class _Temporary(Exception):
    """Worth trying again later."""


class _ConnectionLost(_Temporary):
    """The SMTP connection is gone: the rest of the batch waits for another attempt."""


class _Permanent(Exception):
    def __init__(self, message, *, bounce=False):
        super().__init__(message)
        self.bounce = bounce


def _classify(error: Exception) -> Exception:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if code >= 500:
            return _Permanent(f"Recipient refused: {detail}", bounce=True)
        return _Temporary(f"Recipient deferred: {detail}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _ConnectionLost(f"Server disconnected: {error}")
    if isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {error.smtp_error!r}"
        if error.smtp_code >= 500:
            return _Permanent(f"Refused: {detail}")
        return _Temporary(f"Deferred: {detail}")
    if isinstance(error, OSError):
        return _ConnectionLost(f"Connection failed: {error}")
    return _Temporary(f"{type(error).__name__}: {error}")


def _claim(delivery_ids, *, now) -> str:
    claim = secrets.token_hex(8)
    Delivery.objects.filter(pk__in=delivery_ids).due(now).update(
        status=Status.SENDING,
        claim=claim,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return claim


def _eligible(delivery: Delivery) -> bool:
    subscriber = delivery.subscriber
    if subscriber.suppressed_at:
        return False
    if delivery.kind == Kind.CONFIRM:
        return True
    if delivery.kind == Kind.ACCESS:
        return subscriber.confirmed_at is not None
    if not subscriber.is_active:
        return False
    if delivery.kind == Kind.STORY:
        return delivery.story.is_published
    return True


def deliveries_send(*, delivery_ids: list[int]) -> dict:
    """Send a batch over one SMTP connection; each row is marked as soon as it is decided.

    Safe to run twice and concurrently: only rows this call claimed are touched.
    """
    now = timezone.now()
    claim = _claim(delivery_ids, now=now)
    claimed = list(
        Delivery.objects.filter(claim=claim, status=Status.SENDING)
        .select_related("subscriber", "story", "event", "newsletter")
        .order_by("pk")
    )
    counts = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
    if not claimed:
        return counts
    builder = MessageBuilder()
    connection_ = mail.mailers["default"]
    pending = list(claimed)
    _synchronous_commit(False)
    try:
        connection_.open()
        while pending:
            delivery = pending.pop(0)
            if not _eligible(delivery):
                _finish(delivery, claim, status=Status.CANCELLED)
                counts["cancelled"] += 1
                continue
            try:
                message = builder.build(delivery)
                connection_.send_messages([message])
            except Exception as error:
                outcome = _classify(error)
                logger.warning("Delivery %s: %s", delivery.pk, outcome)
                if isinstance(outcome, _Permanent):
                    _finish(delivery, claim, status=Status.FAILED, error=str(outcome))
                    counts["failed"] += 1
                    if outcome.bounce:
                        subscriber_suppress(subscriber=delivery.subscriber, reason=str(outcome))
                        # Rows of this batch to the same address are cancelled, not sent.
                        for other in pending:
                            if other.subscriber_id == delivery.subscriber_id:
                                other.subscriber.suppressed_at = timezone.now()
                    continue
                counts[_retry_later(delivery, claim, str(outcome))] += 1
                if isinstance(outcome, _ConnectionLost):
                    connection_.close()
                    connection_.open()  # one fresh connection; if this fails, all wait
                continue
            _finish(delivery, claim, status=Status.SENT)
            counts["sent"] += 1
    except Exception as error:
        # The connection could not be (re)opened: every row not yet decided waits.
        logger.warning("SMTP connection failed; %d deliveries wait: %s", len(pending), error)
        for delivery in pending:
            counts[_retry_later(delivery, claim, f"Connection failed: {error}")] += 1
    finally:
        connection_.close()
        _synchronous_commit(True)
    return counts


def _synchronous_commit(on: bool) -> None:
    """While a batch is sent, PostgreSQL acknowledges each mark without waiting for its
    write-ahead log to reach the disk (about half the cost of a mark).

    The trade-off: a crash of PostgreSQL itself (not of a worker) can lose the marks of the
    last fraction of a second; those rows come back as claimed and are sent again (with the
    same Message-ID) after the claim timeout. A worker that dies loses nothing: every mark
    it made is committed. The claim itself stays durable (it is made before this is
    switched off).
    """
    if connection.vendor != "postgresql":
        return
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit" if on else "SET synchronous_commit TO OFF")


def _finish(delivery, claim, *, status, error=""):
    now = timezone.now()
    fields = {"status": status, "updated_at": now, "last_error": error, "claim": ""}
    if status == Status.SENT:
        fields["sent_at"] = now
    if delivery.kind != Kind.DIGEST:
        # One statement, its own transaction: a BEGIN and a COMMIT fewer per message.
        _update_claimed(delivery.pk, claim, fields)
        return
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, claim=claim).update(**fields)
        # What the digest carried shares its fate.
        bundled = {"status": status, "updated_at": now}
        if status == Status.SENT:
            bundled["sent_at"] = now
        delivery.bundled.update(**bundled)


_UPDATE_CLAIMED = {}


def _update_claimed(delivery_id, claim, fields) -> int:
    """`Delivery.objects.filter(pk=delivery_id, claim=claim).update(**fields)` with its SQL
    built once per set of fields: compiling the ORM's UPDATE takes more time than
    PostgreSQL needs to run it, and this runs once per message sent."""
    names = tuple(fields)
    sql = _UPDATE_CLAIMED.get(names)
    if sql is None:
        quote, field = connection.ops.quote_name, Delivery._meta.get_field
        columns = ", ".join(f"{quote(field(name).column)} = %s" for name in names)
        sql = _UPDATE_CLAIMED[names] = (
            f"UPDATE {quote(Delivery._meta.db_table)} SET {columns}"  # noqa: S608 (names only)
            f" WHERE {quote(field('id').column)} = %s AND {quote(field('claim').column)} = %s"
        )
    values = [
        Delivery._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in fields.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, delivery_id, claim])
        return cursor.rowcount


def _retry_later(delivery, claim, error) -> str:
    now = timezone.now()
    attempt = delivery.attempts  # already counted when claimed
    if attempt > len(RETRY_DELAYS):
        _finish(
            delivery,
            claim,
            status=Status.FAILED,
            error=f"Gave up after {attempt} attempts: {error}",
        )
        return "failed"
    Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
        status=Status.RETRYING,
        retry_after=now + datetime.timedelta(seconds=RETRY_DELAYS[attempt - 1]),
        last_error=error,
        claim="",
        updated_at=now,
    )
    return "retrying"
