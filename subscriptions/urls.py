from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("subscribe/sent/", views.SubscribeSentView.as_view(), name="subscribe-sent"),
    path("subscriptions/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("subscriptions/manage/", views.RequestLinkView.as_view(), name="request-link"),
    path("subscriptions/manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path(
        "subscriptions/manage/<str:token>/data.json",
        views.ExportView.as_view(),
        name="export",
    ),
    path("subscriptions/manage/<str:token>/erase/", views.EraseView.as_view(), name="erase"),
    path(
        "subscriptions/unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
    path("account/subscription/", views.AccountSubscriptionView.as_view(), name="account"),
    path("newsletters/", views.NewsletterListView.as_view(), name="newsletters"),
    path("newsletters/<slug:slug>/", views.NewsletterDetailView.as_view(), name="newsletter"),
]
