from django.urls import path

from . import views
from .feeds import KeywordFeed, LatestStoriesFeed

app_name = "stories"
urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("feed/", LatestStoriesFeed(), name="feed"),
    path("keywords/<slug:slug>/feed/", KeywordFeed(), name="keyword-feed"),
    path("keywords/<slug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
    path("<slug:slug>/", views.StoryDetailView.as_view(), name="detail"),
]
