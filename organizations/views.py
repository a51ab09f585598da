from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from common.views import FilteredListView

from .filters import OrganizationFilter
from .models import ExchangeRound, Organization, Pairing

# Pages here show people and stories through reverse relations (`pairing.fellows`,
# `round.stories`) so that this app never imports the apps built on top of it.
STORIES_ON_A_PAGE = 6


class ExchangeRoundListView(ListView):
    def get_queryset(self):
        return ExchangeRound.objects.public().with_counts()


class ExchangeRoundDetailView(DetailView):
    def get_object(self, queryset=None):
        return get_object_or_404(ExchangeRound.objects.public(), year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pairings"] = self.object.pairings.with_organizations().prefetch_related("fellows")
        context["stories"] = self.object.stories.published().for_cards()[:STORIES_ON_A_PAGE]
        return context


class OrganizationListView(FilteredListView):
    filterset_class = OrganizationFilter

    def get_base_queryset(self):
        return Organization.objects.prefetch_related("topics")


class OrganizationDetailView(DetailView):
    queryset = Organization.objects.prefetch_related("topics")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context["pairings"] = (
            Pairing.objects.involving(organization)
            .with_organizations()
            .prefetch_related("fellows")
        )
        context["fellows"] = organization.fellows.select_related("pairing__round")
        context["stories"] = organization.stories.published().for_cards()[:STORIES_ON_A_PAGE]
        return context
