from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, UpdateView

from common.views import FilteredListView

from . import services
from .filters import FellowFilter
from .forms import FellowProfileForm, InvitationSignupForm
from .models import Fellow
from .visibility import Audience


class FellowListView(FilteredListView):
    filterset_class = FellowFilter

    def get_base_queryset(self):
        return Fellow.objects.in_shown_order().for_cards()


class FellowDetailView(DetailView):
    """A profile, at /fellows/<slug>/ when the full name is public, else at a number: the
    slug spells the name, so it must not answer for a fellow who hides it."""

    queryset = Fellow.objects.for_cards()

    def get_object(self, queryset=None):
        queryset = self.get_queryset()
        if "slug" in self.kwargs:
            return get_object_or_404(
                queryset, slug=self.kwargs["slug"], name_visibility=Audience.PUBLIC
            )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.path != self.object.get_absolute_url():
            return redirect(self.object.get_absolute_url(), permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Reverse relation: stories build on fellows, so this app does not import them.
        context["stories"] = self.object.stories.published().for_cards()
        context["is_own_profile"] = (
            self.request.user.is_authenticated and self.object.user_id == self.request.user.pk
        )
        return context


@method_decorator(never_cache, name="dispatch")
class FellowProfileEditView(LoginRequiredMixin, UpdateView):
    """A fellow keeps their own profile. Every other profile's edit page is a 404, for
    everyone: staff edit profiles in the admin, where the history records who did."""

    form_class = FellowProfileForm
    template_name = "fellows/fellow_form.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Fellow.objects.for_cards(), pk=self.kwargs["pk"], user=self.request.user
        )

    def form_valid(self, form):
        services.fellow_profile_save(fellow=form.instance, by=self.request.user)
        messages.success(
            self.request,
            _("Your profile is saved, with your choices of who sees what."),
        )
        return redirect(self.object.edit_url())


@method_decorator(never_cache, name="dispatch")
class OwnProfileView(LoginRequiredMixin, View):
    """/fellows/me/: the signed-in fellow's edit page, whatever its number."""

    def get(self, request):
        fellow = Fellow.objects.filter(user=request.user).first()
        if fellow is None:
            raise Http404(_("Your account has no fellow profile."))
        return redirect(fellow.edit_url())


@method_decorator(never_cache, name="dispatch")
class InvitationView(View):
    """The link of an invitation email: create an account (or use the one signed in) and
    take over the profile. A tampered, spent or expired link is a 404 page."""

    template_name = "fellows/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = services.invitation_from_token(kwargs["token"])
        if self.invitation is None or not self.invitation.is_usable:
            return render(request, "fellows/invitation_invalid.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def has_account(self):
        return get_user_model().objects.filter(email__iexact=self.invitation.email).exists()

    def render_page(self, form=None, status=200):
        context = {
            "invitation": self.invitation,
            "fellow": self.invitation.fellow,
            "form": form,
            "has_account": not self.request.user.is_authenticated and self.has_account(),
            "login_url": f"{reverse('account_login')}?{urlencode({'next': self.request.path})}",
        }
        response = render(self.request, self.template_name, context, status=status)
        # The link is a credential: keep it out of caches and other sites' logs.
        response["Referrer-Policy"] = "no-referrer"
        return response

    def get(self, request, token):
        form = None if request.user.is_authenticated else self.signup_form()
        return self.render_page(form)

    def post(self, request, token):
        if request.user.is_authenticated:
            return self.accept(user=request.user)
        if self.has_account():
            return self.render_page()
        form = self.signup_form(data=request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        return self.accept(password=form.cleaned_data["password1"])

    def signup_form(self, data=None):
        return InvitationSignupForm(data, email=self.invitation.email)

    def accept(self, *, user=None, password=None):
        try:
            user = services.invitation_accept(
                invitation=self.invitation, user=user, password=password
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.render_page(status=409)
        if not self.request.user.is_authenticated:
            login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _("Welcome! Your account now keeps this profile. Check it, and choose who sees what."),
        )
        return redirect(self.invitation.fellow.edit_url())
