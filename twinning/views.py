"""Site-wide pages: home, about, search, topic hubs."""

from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.views.generic import ListView, RedirectView, TemplateView

from events.models import Event
from fellows.models import Fellow
from organizations.models import ExchangeRound, Organization, Topic
from stories.models import Story

LATEST_STORIES = 6
TESTIMONIALS = 3
UPCOMING_EVENTS = 3
TOPIC_PAGE_ITEMS = 12


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        held = ExchangeRound.objects.held().aggregate(count=Count("pk"), first_year=Min("year"))
        reach = Organization.objects.aggregate(
            count=Count("pk"), countries=Count("country", distinct=True)
        )
        context["numbers"] = {
            "rounds": held["count"],
            "organizations": reach["count"],
            "fellows": Fellow.objects.count(),
            "countries": reach["countries"],
        }
        context["first_year"] = held["first_year"]
        context["open_round"] = ExchangeRound.objects.open_for_applications().first()
        context["stories"] = Story.objects.published().for_cards()[:LATEST_STORIES]
        context["testimonials"] = (
            Fellow.objects.with_testimonial()
            .for_cards()
            .order_by("-pairing__round__year", "name")[:TESTIMONIALS]
        )
        context["events"] = Event.objects.upcoming()[:UPCOMING_EVENTS]
        return context


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rounds"] = ExchangeRound.objects.public().with_counts()
        return context


class SearchView(TemplateView):
    """One box for the whole site: fellows, organisations, stories and events."""

    template_name = "search.html"
    RESULTS_PER_KIND = 6
    MAX_QUERY_LENGTH = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[: self.MAX_QUERY_LENGTH]
        context["query"] = query
        if not query:
            return context
        sections = {
            "fellows": Fellow.objects.search(query).for_cards(),
            "organizations": Organization.objects.search(query),
            "stories": Story.objects.published().search(query).for_cards(),
            "events": Event.objects.search(query).order_by("-starts_at"),
        }
        results = {}
        for name, queryset in sections.items():
            # One row more than shown tells whether "see all" is needed, without a COUNT.
            rows = list(queryset[: self.RESULTS_PER_KIND + 1])
            results[name] = {
                "items": rows[: self.RESULTS_PER_KIND],
                "more": len(rows) > self.RESULTS_PER_KIND,
            }
        context["results"] = results
        context["found"] = any(section["items"] for section in results.values())
        return context


class TopicListView(ListView):
    queryset = Topic.objects.annotate(
        organization_count=Count("organizations", distinct=True),
        story_count=Count(
            "stories", filter=Q(stories__in=Story.objects.published()), distinct=True
        ),
    ).order_by("name")


class TopicDetailView(TemplateView):
    """Everything on one topic: organisations, fellows, stories, events."""

    template_name = "organizations/topic_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        context["topic"] = topic
        context["organizations"] = Organization.objects.about_topic(topic)[:TOPIC_PAGE_ITEMS]
        context["fellows"] = (
            Fellow.objects.about_topic(topic).in_shown_order().for_cards()[:TOPIC_PAGE_ITEMS]
        )
        context["stories"] = (
            Story.objects.published().about_topic(topic).for_cards()[:TOPIC_PAGE_ITEMS]
        )
        context["upcoming_events"] = Event.objects.upcoming().about_topic(topic)[:TOPIC_PAGE_ITEMS]
        context["past_events"] = Event.objects.past().about_topic(topic)[:TOPIC_PAGE_ITEMS]
        return context
