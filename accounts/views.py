"""The account page, and the admin's sign-in handed over to the site's own."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from .forms import LanguageForm


@method_decorator(never_cache, name="dispatch")
class AccountView(LoginRequiredMixin, TemplateView):
    """What a signed-in person can do: their address, password, email subscription and,
    for a fellow, their public profile."""

    template_name = "account/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            email_address=user.emailaddress_set.filter(primary=True).first(),
            # Fellow.user is a one-to-one with related_name "fellow"; most users have none.
            fellow=getattr(user, "fellow", None),
            language_form=LanguageForm(instance=user),
            **kwargs,
        )


@require_POST
def language_update(request):
    """Save the language we write in, from the form on the account page."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("accounts:overview"))
    form = LanguageForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("Saved: we will write to you in %(language)s.")
            % {"language": get_language_info(request.user.language)["name_local"]},
        )
    else:
        messages.error(request, _("Choose one of the languages in the list."))
    return redirect("accounts:overview")


def _safe_next(request, default: str) -> str:
    url = request.GET.get(REDIRECT_FIELD_NAME, "")
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if allowed else default


@never_cache
def admin_login(request, extra_context=None):
    """Stands in for `admin.site.login`, so that staff sign in through allauth's page with
    its rate limits (Django's admin login has none). Credentials posted here are never
    checked: every request is sent on to the site's sign-in."""
    admin_index = reverse("admin:index", current_app=admin.site.name)
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(_safe_next(request, admin_index))
        return render(request, "account/admin_denied.html", status=403)
    query = urlencode({REDIRECT_FIELD_NAME: _safe_next(request, admin_index)})
    return redirect(f"{reverse('account_login')}?{query}")
