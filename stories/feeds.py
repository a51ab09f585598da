"""RSS feeds: the latest stories, and one per keyword archive."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Keyword, Story

FEED_LENGTH = 20


class LatestStoriesFeed(Feed):
    title = _("EU–China NGO Twinning: latest stories")
    description = _("News, fellow stories, videos and reports from the EU–China NGO Twinning.")

    def link(self):
        return reverse("stories:list")

    def items(self):
        return Story.objects.published()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class KeywordFeed(LatestStoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Keyword, slug=slug)

    def title(self, keyword):
        return _("EU–China NGO Twinning: %(keyword)s") % {"keyword": keyword.name}

    def link(self, keyword):
        return keyword.get_absolute_url()

    def items(self, keyword):
        return Story.objects.published().filter(keywords=keyword)[:FEED_LENGTH]
