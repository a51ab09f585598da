import django_filters
from django.utils.translation import gettext_lazy as _

from organizations.filters import round_year_choices
from organizations.models import Topic

from .models import Keyword, Story


class StoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Story.Kind.choices, empty_label=_("All kinds")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    keyword = django_filters.ModelChoiceFilter(
        label=_("Keyword"),
        field_name="keywords",
        queryset=Keyword.objects.all(),
        to_field_name="slug",
        empty_label=_("All keywords"),
    )
    round = django_filters.ChoiceFilter(
        label=_("Round"),
        choices=round_year_choices,
        field_name="round__year",
        empty_label=_("All rounds"),
    )
    year = django_filters.NumberFilter(
        label=_("Year published"), field_name="published_at__year", min_value=2000, max_value=2100
    )

    class Meta:
        model = Story
        fields = ["q", "kind", "topic", "keyword", "round", "year"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)
