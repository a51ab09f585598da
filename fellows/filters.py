import django_filters
from django.utils.translation import gettext_lazy as _

from organizations.countries import COUNTRY_CHOICES
from organizations.filters import round_year_choices
from organizations.models import Organization, Topic

from .models import Fellow


class FellowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    round = django_filters.ChoiceFilter(
        label=_("Round"),
        choices=round_year_choices,
        field_name="pairing__round__year",
        empty_label=_("All rounds"),
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Fellow.Direction.choices, empty_label=_("Both directions")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=COUNTRY_CHOICES,
        method="filter_country",
        empty_label=_("All countries"),
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        method="filter_topic",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    # A text field, not a select: a select would list every organisation on every request.
    organization = django_filters.CharFilter(
        label=_("Organization"), method="filter_organization", max_length=200
    )

    class Meta:
        model = Fellow
        fields = ["q", "round", "direction", "country", "topic", "organization"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    # Country, topic and organisation tell where a fellow works: they match only the fellows
    # who show their organisation to this audience (FellowQuerySet.showing).
    def filter_country(self, queryset, name, value):
        return queryset.showing("organization").filter(organization__country=value)

    def filter_topic(self, queryset, name, value):
        return queryset.about_topic(value)

    def filter_organization(self, queryset, name, value):
        return queryset.of_organizations(Organization.objects.named(value))
