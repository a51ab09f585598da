from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from common.views import FilteredListView

from .filters import OrganizationFilter
from .models import ExchangeRound, Organization, Pairing

# Pages here show people and stories through reverse relations (`pairing.fellows`,
# `round.stories`) so that this app never imports the apps built on top of it.
STORIES_ON_A_PAGE = 6


def fellows_of_pairings():
    """The pairings' fellows who let the audience see their organisation: a pairing is two
    organisations, so listing a fellow under it would reveal the one they hide."""
    fellows = Pairing.fellows.rel.related_model.objects.showing("organization").in_shown_order()
    return Prefetch("fellows", queryset=fellows)


class ExchangeRoundListView(ListView):
    def get_queryset(self):
        return ExchangeRound.objects.public().with_counts()


class ExchangeRoundDetailView(DetailView):
    def get_object(self, queryset=None):
        return get_object_or_404(ExchangeRound.objects.public(), year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pairings"] = self.object.pairings.with_organizations().prefetch_related(
            fellows_of_pairings()
        )
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
            .prefetch_related(fellows_of_pairings())
        )
        context["fellows"] = (
            organization.fellows.showing("organization")
            .in_shown_order()
            .select_related("pairing__round")
        )
        context["stories"] = organization.stories.published().for_cards()[:STORIES_ON_A_PAGE]
        return context
