from django.urls import path

from . import views

app_name = "fellows"
urlpatterns = [
    path("", views.FellowListView.as_view(), name="list"),
    path("me/", views.OwnProfileView.as_view(), name="mine"),
    path("invitation/<str:token>/", views.InvitationView.as_view(), name="invitation"),
    # A fellow who hides their name is reached by number (the slug spells the name).
    path("profile-<int:pk>/", views.FellowDetailView.as_view(), name="detail_by_number"),
    path("profile-<int:pk>/edit/", views.FellowProfileEditView.as_view(), name="edit"),
    path("<slug:slug>/", views.FellowDetailView.as_view(), name="detail"),
]
