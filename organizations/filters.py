import django_filters
from django.utils.translation import gettext_lazy as _

from .countries import COUNTRY_CHOICES
from .models import ExchangeRound, Organization, Topic


def round_year_choices():
    """Years of the rounds shown to the public, newest first (evaluated per request)."""
    return [
        (year, str(year)) for year in ExchangeRound.objects.public().values_list("year", flat=True)
    ]


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Organization.Region.choices, empty_label=_("All regions")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=COUNTRY_CHOICES, empty_label=_("All countries")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    round = django_filters.ChoiceFilter(
        label=_("Round"),
        choices=round_year_choices,
        method="filter_round",
        empty_label=_("All rounds"),
    )

    class Meta:
        model = Organization
        fields = ["q", "region", "country", "topic", "round"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_round(self, queryset, name, value):
        return queryset.in_round(value)
