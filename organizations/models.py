from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .countries import COUNTRY_CHOICES


class Topic(models.Model):
    """The shared vocabulary: every public thing on the site has topics."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic", kwargs={"slug": self.slug})

    @property
    def label(self):
        """The name in the reader's language: topics are shared vocabulary, kept in both."""
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name


class ExchangeRoundQuerySet(models.QuerySet):
    def public(self):
        """Rounds worth showing to visitors: announced, i.e. not merely planned."""
        return self.exclude(status=ExchangeRound.Status.PLANNED)

    def open_for_applications(self):
        return self.filter(status=ExchangeRound.Status.OPEN)

    def held(self):
        """Rounds whose exchange has taken place or is under way."""
        return self.filter(
            status__in=[ExchangeRound.Status.EXCHANGE, ExchangeRound.Status.COMPLETED]
        )

    def with_counts(self):
        # An aggregate drops Meta.ordering, so the order is restated.
        return self.annotate(
            pairing_count=Count("pairings", distinct=True),
            fellow_count=Count("pairings__fellows", distinct=True),
        ).order_by("-year")


class ExchangeRound(models.Model):
    """One year of the programme: applications, matching, the exchange itself, the report."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for applications")
        MATCHING = "matching", _("Matching")
        EXCHANGE = "exchange", _("Exchange under way")
        COMPLETED = "completed", _("Completed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    theme = models.CharField(_("theme"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    summary = models.TextField(_("summary"), blank=True)
    applications_open = models.DateField(_("applications open"), null=True, blank=True)
    applications_close = models.DateField(_("applications close"), null=True, blank=True)
    exchange_start = models.DateField(_("exchange starts"), null=True, blank=True)
    exchange_end = models.DateField(_("exchange ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExchangeRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("exchange round")
        verbose_name_plural = _("exchange rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="round_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(exchange_end__isnull=True)
                | Q(exchange_start__isnull=True)
                | Q(exchange_end__gte=models.F("exchange_start")),
                name="round_exchange_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.theme}"

    def get_absolute_url(self):
        return reverse("rounds:detail", kwargs={"year": self.year})


class OrganizationQuerySet(models.QuerySet):
    def european(self):
        return self.filter(region=Organization.Region.EUROPE)

    def chinese(self):
        return self.filter(region=Organization.Region.CHINA)

    def in_round(self, year):
        return self.filter(
            Q(european_pairings__round__year=year) | Q(chinese_pairings__round__year=year)
        ).distinct()

    def about_topic(self, topic):
        return self.filter(topics=topic)

    def named(self, text):
        """By slug (links on the site) or part of the name, in English or Chinese."""
        return self.filter(Q(slug=text) | Q(name__icontains=text) | Q(name_zh__icontains=text))

    def search(self, text):
        return self.filter(
            Q(name__icontains=text)
            | Q(name_zh__icontains=text)
            | Q(city__icontains=text)
            | Q(description__icontains=text)
        )


class Organization(models.Model):
    class Region(models.TextChoices):
        EUROPE = "europe", _("Europe")
        CHINA = "china", _("China")

    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES)
    province = models.CharField(
        _("province or state"), max_length=100, blank=True, help_text=_("e.g. Yunnan, Bavaria")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    founded = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("focus topics"), related_name="organizations", blank=True
    )
    logo = models.ImageField(_("logo"), upload_to="organizations/logos/", blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["country", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:detail", kwargs={"slug": self.slug})

    @property
    def is_european(self):
        return self.region == self.Region.EUROPE

    @property
    def place(self):
        """'Kunming, Yunnan, China' — whatever parts are known."""
        parts = [
            self.city,
            self.province if self.province != self.city else "",
            self.get_country_display(),
        ]
        return ", ".join(part for part in parts if part)


class PairingQuerySet(models.QuerySet):
    def involving(self, organization):
        return self.filter(
            Q(european_organization=organization) | Q(chinese_organization=organization)
        )

    def with_organizations(self):
        return self.select_related(
            "round", "topic", "european_organization", "chinese_organization"
        )


class Pairing(models.Model):
    """One European and one Chinese organisation, twinned in one exchange round."""

    round = models.ForeignKey(
        ExchangeRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="pairings"
    )
    european_organization = models.ForeignKey(
        Organization,
        verbose_name=_("European organization"),
        on_delete=models.PROTECT,
        related_name="european_pairings",
        limit_choices_to={"region": Organization.Region.EUROPE},
    )
    chinese_organization = models.ForeignKey(
        Organization,
        verbose_name=_("Chinese organization"),
        on_delete=models.PROTECT,
        related_name="chinese_pairings",
        limit_choices_to={"region": Organization.Region.CHINA},
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("exchange topic"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-round__year", "european_organization__name"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "european_organization", "chinese_organization"],
                name="pairing_unique_per_round",
            ),
            models.CheckConstraint(
                condition=~Q(european_organization=models.F("chinese_organization")),
                name="pairing_two_different_organizations",
            ),
        ]

    def __str__(self):
        return f"{self.european_organization} ↔ {self.chinese_organization} ({self.round.year})"

    def get_absolute_url(self):
        return f"{self.round.get_absolute_url()}#pairing-{self.pk}"

    def clean(self):
        errors = {}
        if self.european_organization_id and not self.european_organization.is_european:
            errors["european_organization"] = _("Choose a European organization.")
        if self.chinese_organization_id and self.chinese_organization.is_european:
            errors["chinese_organization"] = _("Choose a Chinese organization.")
        if errors:
            raise ValidationError(errors)

    def partner_of(self, organization):
        if organization.pk == self.european_organization_id:
            return self.chinese_organization
        return self.european_organization
