from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.ExchangeRoundListView.as_view(), name="list"),
    path("<int:year>/", views.ExchangeRoundDetailView.as_view(), name="detail"),
]
