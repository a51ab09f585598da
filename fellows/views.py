from django.views.generic import DetailView

from common.views import FilteredListView

from .filters import FellowFilter
from .models import Fellow


class FellowListView(FilteredListView):
    filterset_class = FellowFilter

    def get_base_queryset(self):
        return Fellow.objects.for_cards()


class FellowDetailView(DetailView):
    queryset = Fellow.objects.for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Reverse relation: stories build on fellows, so this app does not import them.
        context["stories"] = self.object.stories.published().for_cards()
        return context
