"""Subscribers, what they follow, their consent, and the outbox of emails to them.

`Delivery` is the outbox: one row per (subscriber, thing to tell them). Its partial unique
constraints are what make "exactly one email per subscriber and story" true, whatever
retries, sweeps and double clicks happen around it.
"""

import datetime
import secrets

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.markdown import render_markdown
from events.models import Event
from fellows.models import Fellow
from organizations.models import Organization, Topic
from stories.models import Story


def new_key():
    return secrets.token_urlsafe(18)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        """Who may receive news: confirmed, still subscribed, address not bouncing."""
        return self.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, suppressed_at__isnull=True
        )

    def with_address(self, email):
        return self.filter(email=Subscriber.normalize_email(email))

    def following(self, story):
        """Confirmed subscribers who follow all programme news, the story's kind, or one of
        its topics, organisations or fellows. Each subscriber once (EXISTS, not joins)."""
        follows = (
            (Subscriber.topics.through, {"topic__stories": story}),
            (Subscriber.organizations.through, {"organization__stories": story}),
            (Subscriber.fellows.through, {"fellow__stories": story}),
            (KindFollow, {"kind": story.kind}),
        )
        condition = Q(follows_all_news=True)
        for model, lookup in follows:
            condition |= Exists(model.objects.filter(subscriber=OuterRef("pk"), **lookup))
        return self.confirmed().filter(condition)

    def following_events(self):
        return self.confirmed().filter(follows_events=True)

    def following_news(self):
        return self.confirmed().filter(follows_all_news=True)

    def unconfirmed_since(self, moment):
        return self.filter(confirmed_at__isnull=True, created_at__lt=moment)


class Subscriber(models.Model):
    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once, one email per story")
        WEEKLY = "weekly", _("A weekly digest")

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh-hans", "简体中文"

    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language of the emails"),
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    follows_all_news = models.BooleanField(_("all programme news"), default=False)
    follows_events = models.BooleanField(_("new events"), default=False)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="subscribers", blank=True
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organisations"), related_name="subscribers", blank=True
    )
    fellows = models.ManyToManyField(
        Fellow, verbose_name=_("fellows"), related_name="subscribers", blank=True
    )
    # Part of every signed link: rotating it (on erasure the row is gone anyway) voids them.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    suppressed_at = models.DateTimeField(
        _("suppressed"),
        null=True,
        blank=True,
        help_text=_("Set when the address bounced permanently: nothing more is sent to it."),
    )
    suppression_reason = models.CharField(_("why suppressed"), max_length=250, blank=True)
    # When the follows were last changed: an older confirmation link no longer applies.
    preferences_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [models.Index(fields=["confirmed_at", "unsubscribed_at", "suppressed_at"])]

    def __str__(self):
        return self.email

    @staticmethod
    def normalize_email(email):
        return (email or "").strip().lower()

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def is_active(self):
        """Receives news: confirmed, not unsubscribed, not suppressed."""
        return (
            self.confirmed_at is not None
            and self.unsubscribed_at is None
            and self.suppressed_at is None
        )

    @property
    def followed_kinds(self):
        return [follow.kind for follow in self.kind_follows.all()]

    def followed_stories(self):
        """Published stories this subscriber follows (all news aside), newest first."""
        return (
            Story.objects.published()
            .filter(
                Q(kind__in=self.kind_follows.values("kind"))
                | Q(topics__subscribers=self)
                | Q(organizations__subscribers=self)
                | Q(fellows__subscribers=self)
            )
            .distinct()
        )


class KindFollow(models.Model):
    """A story kind (news, fellow stories, videos, reports) a subscriber follows."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="kind_follows"
    )
    kind = models.CharField(_("story kind"), max_length=20, choices=Story.Kind.choices)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("followed story kind")
        verbose_name_plural = _("followed story kinds")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "kind"], name="kind_follow_unique"),
        ]

    def __str__(self):
        return self.get_kind_display()


class Consent(models.Model):
    """Evidence of a double opt-in: when, the exact words agreed to, and where from."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    given_at = models.DateTimeField(_("given at"))
    version = models.CharField(_("version of the text"), max_length=20)
    text = models.TextField(_("text agreed to"))
    language = models.CharField(_("language"), max_length=10)
    source = models.CharField(_("page signed up on"), max_length=500, blank=True)
    # HMAC-SHA256 of the client addresses, keyed with the secret key: evidence, not tracking.
    signup_ip_hash = models.CharField(_("sign-up address (hashed)"), max_length=64, blank=True)
    confirm_ip_hash = models.CharField(
        _("confirmation address (hashed)"), max_length=64, blank=True
    )
    user_agent_hash = models.CharField(_("browser (hashed)"), max_length=64, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self):
        return f"{self.subscriber} · {self.given_at:%Y-%m-%d %H:%M}"


class Newsletter(models.Model):
    """A one-off programme newsletter, sent to news subscribers and then archived publicly."""

    subject = models.CharField(_("subject"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences."))
    body = models.TextField(_("body"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class NewsletterQuerySet(models.QuerySet):
        def sent(self):
            return self.filter(sent_at__isnull=False)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("subscriptions:newsletter", kwargs={"slug": self.slug})

    @property
    def is_sent(self):
        return self.sent_at is not None


class StoryAnnouncement(models.Model):
    """Marks that the deliveries for a story were recorded: a story is announced once."""

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="announcement")
    announced_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("story announcement")
        verbose_name_plural = _("story announcements")

    def __str__(self):
        return f"{self.story} ({self.recipients})"


class EventAnnouncement(models.Model):
    """Marks that the deliveries for a new event were recorded."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="announcement")
    announced_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event announcement")
        verbose_name_plural = _("event announcements")

    def __str__(self):
        return f"{self.event} ({self.recipients})"


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=Delivery.PENDING)

    def due(self, now=None):
        """Ready to be claimed by a sender now."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Delivery.Status.QUEUED)
            | Q(status=Delivery.Status.RETRYING, retry_after__lte=now)
        )

    def stale(self, claimed_before):
        """Claimed by a worker that must be gone: its task would have hit its time limit."""
        return self.filter(status=Delivery.Status.SENDING, claimed_at__lt=claimed_before)

    def counts(self):
        """{"sent": n, "pending": n, "failed": n, "cancelled": n} in one query."""
        rows = self.values("status").annotate(n=models.Count("pk")).order_by()
        by_status = {row["status"]: row["n"] for row in rows}
        return {
            "sent": by_status.get(Delivery.Status.SENT, 0),
            "pending": sum(by_status.get(status, 0) for status in Delivery.PENDING),
            "failed": by_status.get(Delivery.Status.FAILED, 0),
            "cancelled": by_status.get(Delivery.Status.CANCELLED, 0),
        }


class Delivery(models.Model):
    """One email to one subscriber: the outbox row and its state machine.

    held (waiting for the weekly digest) → bundled (in a digest being sent) → sent
    queued → sending → sent | retrying (retry_after) → … → failed
    any pending state → cancelled (unsubscribed, suppressed, erased item)
    """

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirmation request")
        ACCESS = "access", _("Link to preferences")
        WELCOME = "welcome", _("Welcome")
        STORY = "story", _("Story")
        EVENT = "event", _("Event")
        NEWSLETTER = "newsletter", _("Newsletter")
        DIGEST = "digest", _("Weekly digest")

    class Status(models.TextChoices):
        HELD = "held", _("Held for the digest")
        BUNDLED = "bundled", _("In a digest")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Failed, will retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    PENDING = (Status.HELD, Status.BUNDLED, Status.QUEUED, Status.SENDING, Status.RETRYING)

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    # A story or event held for a weekly subscriber points to the digest that carries it.
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="bundled",
        null=True,
        blank=True,
        limit_choices_to={"kind": "digest"},
    )
    # Digests: the Monday of their week. Welcomes: the day of the confirmation.
    period = models.DateField(null=True, blank=True)
    # What a confirmation link carries (the choices made on the form), signed at send time.
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_after = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "retry_after"]),
            models.Index(fields=["story", "status"]),
            models.Index(fields=["subscriber", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "story"],
                condition=Q(story__isnull=False),
                name="delivery_once_per_story",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "event"],
                condition=Q(event__isnull=False),
                name="delivery_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"],
                condition=Q(newsletter__isnull=False),
                name="delivery_once_per_newsletter",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "kind", "period"],
                condition=Q(kind__in=["digest", "welcome"]),
                name="delivery_once_per_period",
            ),
            models.CheckConstraint(
                condition=~Q(kind="story") | Q(story__isnull=False),
                name="delivery_story_has_story",
            ),
            models.CheckConstraint(
                condition=~Q(kind="event") | Q(event__isnull=False),
                name="delivery_event_has_event",
            ),
            models.CheckConstraint(
                condition=~Q(kind="newsletter") | Q(newsletter__isnull=False),
                name="delivery_newsletter_has_newsletter",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.subscriber_id} ({self.status})"

    @property
    def subject_object(self):
        return self.story or self.event or self.newsletter

    def message_id(self, domain):
        """Stable per delivery: a resend after a crash carries the same Message-ID."""
        return f"<delivery-{self.pk}@{domain}>"


def week_start(moment: datetime.datetime) -> datetime.date:
    day = timezone.localdate(moment)
    return day - datetime.timedelta(days=day.weekday())
