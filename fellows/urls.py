from django.urls import path

from . import views

app_name = "fellows"
urlpatterns = [
    path("", views.FellowListView.as_view(), name="list"),
    path("<slug:slug>/", views.FellowDetailView.as_view(), name="detail"),
]
