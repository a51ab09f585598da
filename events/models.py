import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.markdown import render_markdown
from fellows.models import Fellow
from organizations.models import ExchangeRound, Organization, Topic

TIME_ZONE_CHOICES = [
    (name, name)
    for name in (
        "Asia/Shanghai",
        "Europe/Berlin",
        "Europe/Brussels",
        "Europe/London",
        "Europe/Paris",
        "Europe/Rome",
        "Europe/Vienna",
        "Europe/Warsaw",
        "UTC",
    )
]


class EventQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self):
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")

    def about_topic(self, topic):
        return self.filter(topics=topic)

    def search(self, text):
        return self.filter(
            models.Q(title__icontains=text)
            | models.Q(summary__icontains=text)
            | models.Q(description__icontains=text)
            | models.Q(venue__icontains=text)
            | models.Q(city__icontains=text)
        )


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        WEBINAR = "webinar", _("Webinar")
        FORUM = "forum", _("Forum")
        ALUMNI_MEETING = "alumni-meeting", _("Alumni meeting")
        OPEN_EVENT = "open-event", _("Open event")

    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("local time zone"),
        max_length=50,
        choices=TIME_ZONE_CHOICES,
        default="Europe/Berlin",
        help_text=_("Times are shown in this zone."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="events/covers/", blank=True)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="events", blank=True
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organizations"), related_name="events", blank=True
    )
    round = models.ForeignKey(
        ExchangeRound,
        verbose_name=_("round"),
        on_delete=models.SET_NULL,
        related_name="events",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("An event cannot end before it starts.")})
        if not (self.venue or self.city or self.online_url):
            raise ValidationError(_("Give a place, an online link, or both."))

    def fellows_named_against_their_wish(self) -> list:
        """Fellows who do not show their full name to everyone but whom the event's text or
        its speakers' names, as typed, name: staff must look before it goes out."""
        return Fellow.objects.hiding_names_in(self._public_text())

    def organizations_named_against_their_wish(self) -> list:
        """Speaking fellows who do not show their organisation to everyone, but whose
        organisation the event names (as a speaker's affiliation, say) or lists."""
        speakers = Fellow.objects.filter(talks__event=self)
        return speakers.hiding_organizations_in(
            self._public_text(), listed=self.organizations.all()
        )

    def _public_text(self) -> str:
        speakers = self.speakers.values_list("name", "affiliation")
        return "\n".join(
            [self.title, self.summary, self.description, *(f"{n}\n{a}" for n, a in speakers)]
        )

    @property
    def is_upcoming(self):
        return self.ends_at >= timezone.now()

    @property
    def is_online(self):
        return bool(self.online_url)

    @property
    def local_zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class Speaker(models.Model):
    """A speaker at an event. Gender is kept for the balanced-panel check, never shown."""

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non-binary", _("Non-binary")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="speakers"
    )
    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    fellow = models.ForeignKey(
        Fellow,
        verbose_name=_("fellow"),
        on_delete=models.SET_NULL,
        related_name="talks",
        null=True,
        blank=True,
        help_text=_(
            "The name and affiliation above are shown as typed, so write them as the speaker "
            "agreed to be named. The event links to the fellow's profile only if the fellow "
            "shows their full name to everyone."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "position", "name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.event.get_absolute_url()
