"""Subscribing, confirming, the preference page behind a signed link, leaving, and the
public newsletter archive.

Pages behind a signed link (confirm, manage, export, erase, unsubscribe) are never cached
by anyone but the browser (`Cache-Control: private, no-store`) and never put their address
in a Referer, so the token cannot leak to a shared cache or to the next site visited. A
tampered or expired token gets a 400 page and a token for a subscriber that no longer
exists a 404 page, never a 500.
Nothing changes on a GET: mail scanners open links, people click buttons.
"""

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, FormView, ListView, TemplateView

from common import ratelimit
from fellows.models import Fellow
from organizations.models import Organization, Topic
from stories.models import Story

from . import consent, services, tokens
from .emails import describe_choices
from .forms import ManageForm, RequestLinkForm, SubscribeForm
from .models import Newsletter, Subscriber


def private(response):
    """A page or file that carries a signed link: for this browser only, and its address
    never in a Referer.

    `strict-origin` sends the origin alone (never the path, where the token is). Not
    `no-referrer`: with it browsers send `Origin: null` with the page's own form posts
    (confirm, save, erase, the language switch), and the CSRF check rejects them.
    """
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "strict-origin"
    return response


def manage_path(subscriber: Subscriber) -> str:
    return reverse("subscriptions:manage", args=[tokens.manage_token(subscriber)])


def link_problem(request, *, status: int):
    """The page for a link that is broken (400) or whose subscriber is gone (404)."""
    response = TemplateResponse(
        request,
        "subscriptions/link_invalid.html",
        {"status": status, "expires_days": tokens.CONFIRM_MAX_AGE.days},
        status=status,
    )
    return private(response)


def client_ip(request) -> str:
    """The client's address by allauth's rule, as for the sign-in rate limits: the
    connection's address, or the X-Forwarded-For entry set by the last of the
    ALLAUTH_TRUSTED_PROXY_COUNT proxies (the header is ignored while the count is 0).

    "" when there is no usable address (allauth refuses such requests; here they are
    neither limited nor recorded, as before).
    """
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


def within_limits(request, email: str) -> bool:
    """Count one request that mails `email`: per client and per address, each per hour.

    /subscribe/ and the request for a new link share the counters, since both send mail
    to the address.
    """
    return ratelimit.attempt(
        "mail-client",
        client_ip(request),
        limit=settings.TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT,
    ) and ratelimit.attempt(
        "mail-address",
        Subscriber.normalize_email(email),
        limit=settings.TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS,
    )


# ------------------------------------------------------------------------------
# Subscribing
# ------------------------------------------------------------------------------
class SubscribeView(FormView):
    """The sign-up form. The Follow buttons link here with their choice made:
    ?topic=<slug>, ?organization=<slug>, ?fellow=<public key>, ?kind=<kind>, ?news=1, ?events=1,
    and ?email=<address> fills in the address."""

    form_class = SubscribeForm
    template_name = "subscriptions/subscribe.html"

    def get_initial(self):
        query = self.request.GET
        kinds = [kind for kind in query.getlist("kind") if kind in Story.Kind.values]
        initial = {
            "email": query.get("email", "")[:254],
            "all_news": query.get("news") == "1",
            "events": query.get("events") == "1",
            "kinds": kinds,
        }
        for name, matching, parameter in (
            ("topics", lambda slugs: Topic.objects.filter(slug__in=slugs), "topic"),
            (
                "organizations",
                lambda slugs: Organization.objects.filter(slug__in=slugs),
                "organization",
            ),
            # Fellow.public_key: a number for a fellow who hides the name the slug spells.
            ("fellows", Fellow.objects.with_public_keys, "fellow"),
        ):
            # A NUL byte would make PostgreSQL refuse the query: such a key names nothing.
            keys = [key[:250] for key in query.getlist(parameter)[:20] if "\x00" not in key]
            if keys:
                initial[name] = list(matching(keys).values_list("pk", flat=True))
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(consent_text=consent.current_text(), **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not within_limits(self.request, email):
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        services.subscription_request(
            email=email,
            preferences=form.preferences(),
            page_language=get_language(),
            source=self.request.get_full_path(),
            ip=client_ip(self.request),
            user_agent=self.request.headers.get("user-agent", ""),
        )
        return redirect("subscriptions:subscribe-sent")


class SubscribeSentView(TemplateView):
    """The same words whatever the address was: known, unknown or suppressed."""

    template_name = "subscriptions/subscribe_sent.html"
    extra_context = {"expires_days": tokens.CONFIRM_MAX_AGE.days}


class ConfirmView(View):
    """GET shows a button (mail scanners open links); the POST of that button confirms."""

    def get(self, request, token):
        try:
            payload, _made_at = tokens.read_confirm_token(token)
        except tokens.BadToken:
            return link_problem(request, status=400)
        context = {
            "token": token,
            "email": payload.get("email", ""),
            "choices": describe_choices(payload),
        }
        return private(TemplateResponse(request, "subscriptions/confirm.html", context))

    def post(self, request, token):
        try:
            subscriber, outcome = services.subscriber_confirm(token=token, ip=client_ip(request))
        except tokens.BadToken:
            return link_problem(request, status=400)
        context = {
            "subscriber": subscriber,
            "outcome": outcome,
            "manage_url": manage_path(subscriber),
        }
        return private(TemplateResponse(request, "subscriptions/confirm_done.html", context))


class RequestLinkView(FormView):
    """Someone without an old email asks for a fresh link to their preference page."""

    form_class = RequestLinkForm
    template_name = "subscriptions/request_link.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sent=self.request.GET.get("sent") == "1", **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not within_limits(self.request, email):
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        services.subscriber_request_access(email=email)
        return redirect(reverse("subscriptions:request-link") + "?sent=1")


class AccountSubscriptionView(LoginRequiredMixin, TemplateView):
    """A signed-in user's subscription: their preference page, or an invitation."""

    template_name = "subscriptions/account.html"

    def get(self, request, *args, **kwargs):
        subscriber = Subscriber.objects.with_address(request.user.email).first()
        if subscriber is not None:
            return private(redirect(manage_path(subscriber)))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = urlencode({"email": self.request.user.email})
        subscribe_url = f"{reverse('subscriptions:subscribe')}?{query}"
        return super().get_context_data(subscribe_url=subscribe_url, **kwargs)


# ------------------------------------------------------------------------------
# Behind the signed link of every email
# ------------------------------------------------------------------------------
class SubscriberLinkMixin:
    """Finds the subscriber named by the `token` in the URL; answers 400/404 otherwise."""

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        try:
            key = tokens.read_manage_token(self.token)
        except tokens.BadToken:
            return link_problem(request, status=400)
        subscriber = Subscriber.objects.filter(key=key).first() if isinstance(key, str) else None
        if subscriber is None:
            return link_problem(request, status=404)
        self.subscriber = subscriber
        return private(super().dispatch(request, *args, **kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subscriber"] = self.subscriber
        context["token"] = self.token
        context["manage_url"] = reverse("subscriptions:manage", args=[self.token])
        return context


class ManageView(SubscriberLinkMixin, FormView):
    """The preference page: follows, frequency, language; leave, come back, take or erase
    the data."""

    form_class = ManageForm
    template_name = "subscriptions/manage.html"

    def get_initial(self):
        return services.preferences_of(self.subscriber)

    def post(self, request, *args, **kwargs):
        if "resubscribe" in request.POST:
            services.subscriber_resubscribe(subscriber=self.subscriber)
            messages.success(request, _("Welcome back: you are subscribed again."))
            return redirect(request.path)
        if not self.subscriber.is_confirmed:
            # Confirming goes through the emailed link, which also records the consent.
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.subscriber_update_preferences(
            subscriber=self.subscriber, preferences=form.preferences()
        )
        messages.success(self.request, _("Saved. Your choices apply from now on."))
        return redirect(self.request.path)


class ExportView(SubscriberLinkMixin, View):
    def get(self, request, token):
        response = JsonResponse(
            services.subscriber_export(subscriber=self.subscriber),
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        response["Content-Disposition"] = 'attachment; filename="twinning-subscription.json"'
        return response


class EraseView(SubscriberLinkMixin, TemplateView):
    template_name = "subscriptions/erase.html"

    def post(self, request, token):
        services.subscriber_erase(subscriber=self.subscriber)
        return TemplateResponse(request, self.template_name, {"erased": True})


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(SubscriberLinkMixin, TemplateView):
    """GET asks (one button); POST leaves. The POST needs no CSRF token: mail providers send
    RFC 8058 one-click requests (`List-Unsubscribe=One-Click`) without cookies, and the
    signed token in the URL is the proof."""

    template_name = "subscriptions/unsubscribe.html"

    def post(self, request, token):
        services.subscriber_unsubscribe(subscriber=self.subscriber)
        context = self.get_context_data(unsubscribed=True)
        return self.render_to_response(context)


# ------------------------------------------------------------------------------
# The newsletter archive
# ------------------------------------------------------------------------------
class NewsletterListView(ListView):
    paginate_by = settings.TWINNING_PAGE_SIZE

    def get_queryset(self):
        return Newsletter.objects.sent().defer("body", "body_html")

    def paginate_queryset(self, queryset, page_size):
        """A page number past the end shows the last page, not a 404."""
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2)
        return context


class NewsletterDetailView(DetailView):
    def get_queryset(self):
        return Newsletter.objects.sent()
