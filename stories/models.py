from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.markdown import render_markdown
from fellows.models import Fellow
from fellows.visibility import Audience, audience_of
from organizations.models import ExchangeRound, Organization, Topic


class Keyword(models.Model):
    """A free tag that groups stories into an archive, such as "Chinese NGOs Going Out"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stories:keyword", kwargs={"slug": self.slug})


class StoryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Story.Status.PUBLISHED, published_at__lte=timezone.now())

    def of_kind(self, kind):
        return self.filter(kind=kind)

    def about_topic(self, topic):
        return self.filter(topics=topic)

    def about_fellow(self, fellow):
        return self.filter(fellows=fellow)

    def about_organization(self, organization):
        return self.filter(organizations=organization)

    def search(self, text):
        return self.filter(
            models.Q(title__icontains=text)
            | models.Q(summary__icontains=text)
            | models.Q(body__icontains=text)
        )

    def for_cards(self):
        """What a story card shows: the round, and the topics prefetched in one query."""
        return self.select_related("round").prefetch_related("topics")

    def written_by(self, user):
        """The stories a person wrote on the site (drafts included), newest first."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user).order_by("-updated_at", "-pk")

    def in_review(self):
        return self.filter(status=Story.Status.REVIEW)


class Story(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        FELLOW_STORY = "fellow-story", _("Fellow story")
        VIDEO = "video", _("Video")
        REPORT = "report", _("Report")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences."))
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="stories/covers/", blank=True)
    cover_alt = models.CharField(
        _("cover description"),
        max_length=250,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Empty if decorative."),
    )
    video_url = models.URLField(_("video link"), blank=True)
    report_file = models.FileField(_("report (PDF)"), upload_to="stories/reports/", blank=True)
    keywords = models.ManyToManyField(
        Keyword, verbose_name=_("keywords"), related_name="stories", blank=True
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="stories", blank=True
    )
    fellows = models.ManyToManyField(
        Fellow, verbose_name=_("fellows"), related_name="stories", blank=True
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organizations"), related_name="stories", blank=True
    )
    round = models.ForeignKey(
        ExchangeRound,
        verbose_name=_("round"),
        on_delete=models.SET_NULL,
        related_name="stories",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        related_name="stories",
        null=True,
        blank=True,
    )
    # Review: the author submits, an editor approves or sends it back with a comment.
    # Every earlier state is in `history` (django-simple-history).
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    review_comment = models.TextField(
        _("editor’s comment"),
        blank=True,
        help_text=_("Why the story was sent back, and what to change. The author sees it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["kind", "-published_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="story_published_has_time",
            ),
        ]
        permissions = [("publish_story", _("Can approve and publish stories"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:detail", kwargs={"slug": self.slug})

    @property
    def report_size(self):
        """Size of the report in bytes, or None when the file is missing from storage."""
        if not self.report_file:
            return None
        try:
            return self.report_file.size
        except OSError:
            return None

    @property
    def is_sent_back(self):
        """A draft an editor returned to its author with a comment."""
        return self.status == self.Status.DRAFT and bool(self.review_comment)

    def is_editable_by(self, user) -> bool:
        """Authors edit their own story on the site while it is a draft (or sent back);
        once submitted it is the editors' (in the admin)."""
        return (
            user.is_authenticated
            and self.author_id is not None
            and self.author_id == user.pk
            and self.status == self.Status.DRAFT
        )

    def is_previewable_by(self, user) -> bool:
        """Its author, and staff who may see stories in the admin."""
        if not user.is_authenticated:
            return False
        if self.author_id is not None and self.author_id == user.pk:
            return True
        return user.is_staff and user.has_perm("stories.view_story")

    def fellows_named_against_their_wish(self) -> list:
        """Fellows who do not show their full name to everyone but whom the story's text
        names: consent cannot hide free text, so an editor must look before publishing."""
        return Fellow.objects.hiding_names_in(self._public_text())

    def organizations_named_against_their_wish(self) -> list:
        """Fellows the story is about who do not show their organisation to everyone, but
        whose organisation the story names or lists."""
        return self.fellows.all().hiding_organizations_in(
            self._public_text(), listed=self.organizations.all()
        )

    def _public_text(self) -> str:
        return "\n".join([self.title, self.summary, self.body])

    def get_preview_url(self):
        return reverse("stories:preview", kwargs={"slug": self.slug})

    def get_edit_url(self):
        return reverse("stories:edit", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


def is_writer(user) -> bool:
    """Who may write stories on the site: staff, and fellows whose profile is their account."""
    if not (user.is_authenticated and user.is_active):
        return False
    # Staff, or a fellow: the audience fellows are shown to (remembered for the request).
    return audience_of(user) >= Audience.ALUMNI
