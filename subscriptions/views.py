"""Placeholder views: replaced by the real ones (subscribe, confirm, manage, unsubscribe)."""

from django.views.generic import TemplateView


class _Todo(TemplateView):
    template_name = "404.html"


SubscribeView = SubscribeSentView = ConfirmView = RequestLinkView = ManageView = _Todo
ExportView = EraseView = UnsubscribeView = AccountSubscriptionView = _Todo
NewsletterListView = NewsletterDetailView = _Todo
