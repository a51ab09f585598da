"""sitemap.xml: every public page a search engine should find."""

from functools import partial

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Event
from fellows.models import Fellow
from fellows.visibility import Audience
from organizations.models import ExchangeRound, Organization, Topic
from stories.models import Keyword, Story
from subscriptions.models import Newsletter


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "about",
            "topics",
            "rounds:list",
            "organizations:list",
            "fellows:list",
            "stories:list",
            "events:list",
            "subscriptions:subscribe",
            "subscriptions:newsletters",
        ]

    def location(self, item):
        return reverse(item)


class ModelSitemap(Sitemap):
    """Objects with get_absolute_url and updated_at, from a queryset verb.

    Takes a function, not a queryset: `published()` compares with the time of each request.
    """

    def __init__(self, get_queryset):
        self.get_queryset = get_queryset

    def items(self):
        return self.get_queryset()

    def lastmod(self, obj):
        return obj.updated_at


sitemaps = {
    "pages": StaticPagesSitemap,
    "topics": ModelSitemap(Topic.objects.all),
    "rounds": ModelSitemap(ExchangeRound.objects.public),
    "organizations": ModelSitemap(Organization.objects.all),
    # Only the profiles whose names are public: the others are not for search engines.
    "fellows": ModelSitemap(partial(Fellow.objects.showing, "name", Audience.PUBLIC)),
    "stories": ModelSitemap(Story.objects.published),
    "keywords": ModelSitemap(Keyword.objects.all),
    "events": ModelSitemap(Event.objects.all),
    "newsletters": ModelSitemap(Newsletter.objects.sent),
}
