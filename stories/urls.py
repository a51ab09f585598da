from django.urls import path

from . import views

app_name = "stories"
urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("keywords/<slug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
    path("<slug:slug>/", views.StoryDetailView.as_view(), name="detail"),
]
