import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization, Pairing

from .visibility import Audience, current_audience

# A profile its owner has not confirmed for this long is flagged to staff as stale.
PROFILE_STALE_AFTER = timedelta(days=365)
MAX_LINKS = 5


def spells(text: str, words: str) -> bool:
    """Whether `text` contains `words` as a whole (case-insensitive; CJK as a substring)."""
    if not words.strip():
        return False
    words = words.strip()
    whole = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text, re.IGNORECASE)
    return bool(whole) or (not words.isascii() and words in text)


def photo_path(fellow, filename):
    """A random name: the uploaded file's name may be the person's own."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"fellows/photos/{uuid.uuid4().hex}.{extension}"


def validate_links(value):
    """At most MAX_LINKS web addresses, one per line, http or https only."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError(
            _("Give at most %(count)d links."), code="too_many", params={"count": MAX_LINKS}
        )
    check = URLValidator(schemes=["http", "https"])
    for line in lines:
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address (https://…)."),
                code="invalid",
                params={"link": line[:100]},
            ) from None


def visibility_field(verbose_name, help_text=""):
    """The widest audience that may see one part of a profile; staff only until chosen."""
    return models.PositiveSmallIntegerField(
        verbose_name, choices=Audience.choices, default=Audience.STAFF, help_text=help_text
    )


def _audience(audience):
    return current_audience() if audience is None else audience


def shown_name(audience):
    """The name as the audience may sort by it: whole when shown, else its first letter.
    Fellow.Meta.indexes holds this expression for the public and for alumni, so that a
    page of the fellows list is read from an index instead of sorting every fellow."""
    return models.Case(
        models.When(name_visibility__lte=audience, then=models.F("name")),
        default=Substr("name", 1, 1),
        output_field=models.CharField(),
    )


class FellowQuerySet(models.QuerySet):
    """Every verb that matches on a field a fellow may hide (name, organisation and the
    pairing it implies) only matches the fellows who show that field to the audience:
    otherwise a filter or a search would reveal what the page hides."""

    def showing(self, field, audience=None):
        """Fellows who let the audience (default: the current one) see `field`."""
        return self.filter(**{f"{field}_visibility__lte": _audience(audience)})

    def with_public_keys(self, keys):
        """The fellows that `Fellow.public_key` values name; a slug names only a fellow whose
        name is public, or guessing slugs would tell who took part."""
        numbers = [int(key) for key in keys if key.isascii() and key.isdigit() and len(key) < 12]
        return self.filter(
            models.Q(pk__in=numbers) | models.Q(slug__in=keys, name_visibility=Audience.PUBLIC)
        )

    def in_round(self, year):
        return self.filter(pairing__round__year=year)

    def about_topic(self, topic):
        return self.showing("organization").filter(pairing__topic=topic)

    def of_organizations(self, organizations):
        """Fellows sent or hosted by any of these organisations (a queryset or a list)."""
        return (
            self.showing("organization")
            .filter(
                models.Q(organization__in=organizations)
                | models.Q(pairing__european_organization__in=organizations)
                | models.Q(pairing__chinese_organization__in=organizations)
            )
            .distinct()
        )

    def search(self, text, audience=None):
        audience = _audience(audience)
        name_shown = models.Q(name_visibility__lte=audience)
        organization_shown = models.Q(organization_visibility__lte=audience)
        return self.filter(
            (name_shown & (models.Q(name__icontains=text) | models.Q(name_zh__icontains=text)))
            | models.Q(role__icontains=text)
            | models.Q(biography__icontains=text)
            | (organization_shown & models.Q(organization__name__icontains=text))
        )

    def hiding_names_in(self, text: str) -> list:
        """The fellows who do not show their full name to everyone and whose name `text`
        spells (as a whole word, in English or Chinese): free text the consent cannot hide."""
        return [
            fellow
            for fellow in self.exclude(name_visibility=Audience.PUBLIC).only(
                "pk", "name", "name_zh", "name_visibility"
            )
            if fellow.is_named_in(text)
        ]

    def hiding_organizations_in(self, text: str, *, listed=()) -> list:
        """Among these fellows, those who do not show their organisation to everyone and
        whose organisation `text` spells or `listed` (organisations shown beside them)
        contains: a page about them must not say where they work."""
        listed = {organization.pk for organization in listed}
        return [
            fellow
            for fellow in self.exclude(organization_visibility=Audience.PUBLIC)
            .exclude(organization=None)
            .select_related("organization")
            if fellow.organization_id in listed
            or spells(text, fellow.organization.name)
            or spells(text, fellow.organization.name_zh)
        ]

    def stale(self):
        """Profiles their owner has never confirmed, or not for PROFILE_STALE_AFTER."""
        return self.filter(
            models.Q(confirmed_at__isnull=True)
            | models.Q(confirmed_at__lt=timezone.now() - PROFILE_STALE_AFTER)
        )

    def with_testimonial(self):
        return self.exclude(testimonial="")

    def in_shown_order(self, audience=None):
        """Alphabetical by the name the audience sees. A fellow who hides it sorts by its
        first letter (then by number): a place between two full names would say more
        about the hidden name than its initials do."""
        audience = _audience(audience)
        if audience >= Audience.STAFF:
            return self.order_by("name", "pk")
        # annotate, not alias: PostgreSQL wants an ORDER BY of a DISTINCT query selected.
        return self.annotate(shown_name=shown_name(audience)).order_by("shown_name", "pk")

    def for_cards(self):
        """Everything a fellow card shows, in one query."""
        return self.select_related(
            "organization",
            "pairing__round",
            "pairing__topic",
            "pairing__european_organization",
            "pairing__chinese_organization",
        )


class Fellow(models.Model):
    """A twinner: a staff member of one organisation who works inside its partner."""

    class Direction(models.TextChoices):
        EUROPE_TO_CHINA = "eu-cn", _("Europe → China")
        CHINA_TO_EUROPE = "cn-eu", _("China → Europe")

    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("home organization"),
        on_delete=models.PROTECT,
        related_name="fellows",
    )
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        on_delete=models.PROTECT,
        related_name="fellows",
        null=True,
        blank=True,
    )
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    role = models.CharField(_("role"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    biography = models.TextField(_("biography"), blank=True)
    testimonial = models.TextField(
        _("testimonial"), blank=True, help_text=_("A short quote about the exchange.")
    )
    contact_email = models.EmailField(
        _("contact email"), blank=True, help_text=_("An address people may write to.")
    )
    links = models.TextField(
        _("links"),
        blank=True,
        validators=[validate_links],
        help_text=_("Your website or profiles elsewhere: one web address per line, at most 5."),
    )
    # Publication consent: the widest audience that may see each field (see visibility.py).
    name_visibility = visibility_field(
        _("who sees the full name"), help_text=_("Everyone else sees initials.")
    )
    photo_visibility = visibility_field(_("who sees the photo"))
    organization_visibility = visibility_field(
        _("who sees the organization"),
        help_text=_("Also the pairing and the host organization, which would reveal it."),
    )
    links_visibility = visibility_field(_("who sees the contact email and links"))
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("last confirmed by the fellow"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        related_name="fellow",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FellowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("fellow")
        verbose_name_plural = _("fellows")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["direction", "name"]),
            # FellowQuerySet.in_shown_order, for the two audiences that may not see all names
            models.Index(shown_name(Audience.PUBLIC), "id", name="fellow_public_order"),
            models.Index(shown_name(Audience.ALUMNI), "id", name="fellow_alumni_order"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        # The slug spells the full name: a fellow who hides it is reached by number.
        if self.has_public_name:
            return reverse("fellows:detail", kwargs={"slug": self.slug})
        return reverse("fellows:detail_by_number", kwargs={"pk": self.pk})

    @property
    def public_key(self) -> str:
        """How links outside the profile name the fellow (the Follow button's ?fellow=):
        the slug when the name is public, else the number."""
        return self.slug if self.has_public_name else str(self.pk)

    @property
    def has_public_name(self) -> bool:
        """Whether everyone sees the full name (whoever is looking now)."""
        return self.name_visibility == Audience.PUBLIC

    def edit_url(self):
        return reverse("fellows:edit", kwargs={"pk": self.pk})

    # What the current audience sees (see visibility.py). Templates, feeds and emails use
    # these, never the raw fields, so a hidden field is hidden everywhere at once.

    def shows(self, field) -> bool:
        return current_audience() >= getattr(self, f"{field}_visibility")

    @property
    def name_shown(self) -> bool:
        return self.shows("name")

    @property
    def display_name(self):
        if self.name_shown:
            return self.name
        return " ".join(f"{letter}." for letter in self.initials) or _("A fellow")

    @property
    def display_name_zh(self):
        return self.name_zh if self.name_shown else ""

    @property
    def shown_photo(self):
        return self.photo if self.photo and self.shows("photo") else None

    @property
    def shown_organization(self):
        return self.organization if self.shows("organization") else None

    @property
    def shown_pairing(self):
        """The pairing tells the organisation (with the direction), so it hides with it."""
        return self.pairing if self.pairing_id and self.shows("organization") else None

    @property
    def shown_host_organization(self):
        return self.host_organization if self.shown_pairing else None

    @property
    def shown_contact_email(self):
        return self.contact_email if self.shows("links") else ""

    @property
    def shown_links(self):
        if not self.shows("links"):
            return []
        # Validated on input; checked again here because an href must never be a script.
        lines = (line.strip() for line in self.links.splitlines())
        return [line for line in lines if line.lower().startswith(("https://", "http://"))]

    def is_named_in(self, text: str) -> bool:
        return spells(text, self.name) or spells(text, self.name_zh)

    @property
    def initials(self):
        return "".join(part[0] for part in self.name.split()[:2]).upper()

    @property
    def round(self):
        return self.pairing.round if self.pairing_id else None

    @property
    def host_organization(self):
        """The partner organisation the fellow worked in during the exchange."""
        if not self.pairing_id:
            return None
        return self.pairing.partner_of(self.organization)

    @property
    def has_consent(self) -> bool:
        return self.consent_recorded_at is not None

    @property
    def likely_language(self) -> str:
        """The language to write to a fellow in when they have not chosen one (Chinese for
        those who came from China), for staff to correct where they know better."""
        if self.direction == self.Direction.CHINA_TO_EUROPE:
            return "zh-hans"
        return settings.LANGUAGE_CODE

    @property
    def is_stale(self) -> bool:
        return (
            self.confirmed_at is None or self.confirmed_at < timezone.now() - PROFILE_STALE_AFTER
        )


# An emailed link (invitation) works this long; an email not sent by then is not sent at all.
INVITATION_VALID_FOR = timedelta(days=14)


class ProfileEmailQuerySet(models.QuerySet):
    def unsent(self):
        """Emails still to send: not sent, and not so old that they would mislead."""
        return self.filter(
            sent_at__isnull=True, created_at__gte=timezone.now() - INVITATION_VALID_FOR
        )


class ProfileEmail(models.Model):
    """An email to one fellow about their profile. The row is its outbox: a task sends it
    once (fellows.services.profile_email_send), a failure is kept and retried."""

    fellow = models.ForeignKey(
        Fellow, verbose_name=_("fellow"), on_delete=models.CASCADE, related_name="%(class)ss"
    )
    email = models.EmailField(_("email address"))
    language = models.CharField(
        _("language of the email"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("attempts to send"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = ProfileEmailQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def is_due(self) -> bool:
        """Whether the email still makes sense to send."""
        raise NotImplementedError


class Invitation(ProfileEmail):
    """Staff invite a fellow by email; the link lets them create an account tied to the
    profile. One-time: accepting links the account, after which every invitation to the
    profile is spent."""

    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta(ProfileEmail.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def clean(self):
        if self.fellow_id and self.accepted_at is None and self.fellow.user_id is not None:
            raise ValidationError(
                {"fellow": _("This profile already belongs to an account.")}, code="taken"
            )

    @property
    def expires_at(self):
        return self.created_at + INVITATION_VALID_FOR

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.fellow.user_id is None
            and timezone.now() < self.expires_at
        )

    is_due = is_usable


class ProfileReminder(ProfileEmail):
    """Staff ask a fellow with an account to check and confirm their profile."""

    class Meta(ProfileEmail.Meta):
        verbose_name = _("reminder to confirm the profile")
        verbose_name_plural = _("reminders to confirm the profile")

    @property
    def is_due(self) -> bool:
        return self.fellow.user_id is not None
