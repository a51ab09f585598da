import django_filters
from django.utils.translation import gettext_lazy as _

from organizations.models import Topic

from .models import Event


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Event.Kind.choices, empty_label=_("All kinds")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )

    class Meta:
        model = Event
        fields = ["q", "kind", "topic"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)
