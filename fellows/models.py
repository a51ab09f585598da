from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization, Pairing


class FellowQuerySet(models.QuerySet):
    def in_round(self, year):
        return self.filter(pairing__round__year=year)

    def about_topic(self, topic):
        return self.filter(pairing__topic=topic)

    def of_organizations(self, organizations):
        """Fellows sent or hosted by any of these organisations (a queryset or a list)."""
        return self.filter(
            models.Q(organization__in=organizations)
            | models.Q(pairing__european_organization__in=organizations)
            | models.Q(pairing__chinese_organization__in=organizations)
        ).distinct()

    def search(self, text):
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(name_zh__icontains=text)
            | models.Q(role__icontains=text)
            | models.Q(biography__icontains=text)
            | models.Q(organization__name__icontains=text)
        )

    def with_testimonial(self):
        return self.exclude(testimonial="")

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
    photo = models.ImageField(_("photo"), upload_to="fellows/photos/", blank=True)
    biography = models.TextField(_("biography"), blank=True)
    testimonial = models.TextField(
        _("testimonial"), blank=True, help_text=_("A short quote about the exchange.")
    )
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
        indexes = [models.Index(fields=["name"]), models.Index(fields=["direction", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fellows:detail", kwargs={"slug": self.slug})

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
