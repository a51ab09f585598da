from django.urls import path

from . import views

app_name = "accounts"

# Mounted at /accounts/ beside allauth's own pages (sign-in, sign-up, password, email).
urlpatterns = [
    path("", views.AccountView.as_view(), name="overview"),
    path("language/", views.language_update, name="language"),
]
