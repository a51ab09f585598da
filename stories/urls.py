from django.urls import path

from . import views
from .feeds import KeywordFeed, LatestStoriesFeed

app_name = "stories"
urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("write/", views.StoryFormView.as_view(), name="write"),
    path("mine/", views.MyStoriesView.as_view(), name="mine"),
    path("feed/", LatestStoriesFeed(), name="feed"),
    path("keywords/<slug:slug>/feed/", KeywordFeed(), name="keyword-feed"),
    path("keywords/<slug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
    path("<slug:slug>/", views.StoryDetailView.as_view(), name="detail"),
    path("<slug:slug>/edit/", views.StoryFormView.as_view(), name="edit"),
    path("<slug:slug>/preview/", views.StoryPreviewView.as_view(), name="preview"),
]
