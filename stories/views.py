from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, UpdateView

from common.views import FilteredListView

from . import services
from .filters import StoryFilter
from .forms import StoryForm
from .models import Keyword, Story, is_writer


class StoryListView(FilteredListView):
    filterset_class = StoryFilter

    def get_base_queryset(self):
        return Story.objects.published().for_cards()


class StoryDetailView(DetailView):
    def get_queryset(self):
        return (
            Story.objects.published()
            .select_related("round")
            .prefetch_related("topics", "keywords", "organizations", "fellows__organization")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topics = list(self.object.topics.all())
        context["related"] = (
            Story.objects.published()
            .filter(topics__in=topics)
            .exclude(pk=self.object.pk)
            .distinct()
            .for_cards()[:3]
        )
        return context


class KeywordDetailView(FilteredListView):
    """A keyword archive: every published story with that keyword, as excerpts."""

    template_name = "stories/keyword_detail.html"
    filterset_class = StoryFilter

    def get_base_queryset(self):
        self.keyword = get_object_or_404(Keyword, slug=self.kwargs["slug"])
        return Story.objects.published().filter(keywords=self.keyword).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(keyword=self.keyword, **kwargs)


# ------------------------------------------------------------------------------
# Authors: write, preview and submit (the editors decide in the admin)
# ------------------------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class WriterRequiredMixin(LoginRequiredMixin):
    """Signed in (else the login page), and staff or a fellow with an account (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_writer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StoryFormView(WriterRequiredMixin, UpdateView):
    """Write a new story (`/stories/write/`) or edit one's own draft; then save it, see its
    preview, or submit it for review (the button pressed is `action`)."""

    model = Story
    form_class = StoryForm
    context_object_name = "story"

    def get_object(self, queryset=None):
        if "slug" not in self.kwargs:
            return None
        return get_object_or_404(Story.objects.written_by(self.request.user), **self.kwargs)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is not None and not self.object.is_editable_by(request.user):
            return self.not_editable()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is not None and not self.object.is_editable_by(request.user):
            return self.not_editable()
        form = self.get_form()
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def not_editable(self):
        messages.info(
            self.request,
            _("“%(title)s” can no longer be edited here: it is %(status)s.")
            % {"title": self.object.title, "status": self.object.get_status_display().lower()},
        )
        return redirect("stories:mine")

    @property
    def action(self) -> str:
        action = self.request.POST.get("action", "save")
        return action if action in ("save", "preview", "submit") else "save"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submitting": self.action == "submit"}

    def form_valid(self, form):
        user = self.request.user
        story = form.save(commit=False)
        try:
            story = services.story_save_draft(
                story=story, by=user, topics=form.cleaned_data["topics"]
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        if self.action == "preview":
            return redirect(story.get_preview_url())
        if self.action == "submit":
            try:
                services.story_submit(story=story, by=user)
            except ValidationError as error:
                messages.error(self.request, " ".join(error.messages))
                return redirect(story.get_edit_url())
            messages.success(
                self.request,
                _(
                    "“%(title)s” is submitted. The editors will publish it, or send it back "
                    "with a comment."
                )
                % {"title": story.title},
            )
            return redirect("stories:mine")
        messages.success(self.request, _("Draft saved."))
        return redirect(story.get_edit_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_new"] = self.object is None
        return context


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: beside its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class MyStoriesView(WriterRequiredMixin, ListView):
    """The author's own stories, their state, and the editor's comment on those sent back."""

    template_name = "stories/story_mine.html"
    context_object_name = "stories"
    paginate_by = 50

    def get_queryset(self):
        return Story.objects.written_by(self.request.user)


@method_decorator(never_cache, name="dispatch")
class StoryPreviewView(StoryDetailView):
    """The story exactly as the public will see it, for its author and staff; 404 for
    everyone else. A published story's preview is its public page."""

    template_name = "stories/story_preview.html"

    def get_queryset(self):
        return Story.objects.prefetch_related(
            "topics", "keywords", "organizations", "fellows__organization"
        ).select_related("round")

    def get_object(self, queryset=None):
        story = super().get_object(queryset)
        if not story.is_previewable_by(self.request.user):
            raise Http404
        return story

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_published:
            return redirect(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = True
        context["can_edit"] = self.object.is_editable_by(self.request.user)
        return context
