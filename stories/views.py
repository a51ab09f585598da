from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from common.views import FilteredListView

from .filters import StoryFilter
from .models import Keyword, Story


class StoryListView(FilteredListView):
    filterset_class = StoryFilter

    def get_base_queryset(self):
        return Story.objects.published().for_cards()


class StoryDetailView(DetailView):
    def get_queryset(self):
        return (
            Story.objects.published()
            .select_related("round")
            .prefetch_related("topics", "keywords", "organizations", "fellows__organization")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topics = list(self.object.topics.all())
        context["related"] = (
            Story.objects.published()
            .filter(topics__in=topics)
            .exclude(pk=self.object.pk)
            .distinct()
            .for_cards()[:3]
        )
        return context


class KeywordDetailView(FilteredListView):
    """A keyword archive: every published story with that keyword, as excerpts."""

    template_name = "stories/keyword_detail.html"
    filterset_class = StoryFilter

    def get_base_queryset(self):
        self.keyword = get_object_or_404(Keyword, slug=self.kwargs["slug"])
        return Story.objects.published().filter(keywords=self.keyword).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(keyword=self.keyword, **kwargs)
