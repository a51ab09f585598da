"""Load the curated demo content into the database, idempotently.

Each app has one loader (`load_organizations`, `load_fellows`, `load_stories`,
`load_events`, `load_newsletters`, `load_accounts`), called in dependency order by
`manage.py seed_demo`.
They live here rather than in `<app>/demo.py` so that the app packages stay free of demo
content; `twinning` is the one package allowed to import every app.

Idempotence: every row is looked up by its natural key (slug, year, the pairing's three
keys, a speaker's event and position) and saved only when a value differs; many-to-many
sets are replaced only when they differ; images and PDFs are written only when the file is
missing from storage. A second run therefore changes nothing, not even `updated_at`.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from common.markdown import render_markdown
from events.models import Event, Speaker
from fellows.models import Fellow
from fellows.visibility import CHOICE_FIELDS, Audience
from organizations.models import ExchangeRound, Organization, Pairing, Topic
from stories.models import Keyword, Story
from subscriptions.models import Delivery, Newsletter, Subscriber

from . import images
from .content import (
    EVENTS_DIR,
    NEWSLETTERS_DIR,
    STORIES_DIR,
    DemoDataError,
    event_time,
    plain_paragraphs,
    publication_time,
    read_documents,
    read_table,
)

DEMO_USER_EMAIL = "demo@twinning.example"
DEMO_USER_PASSWORD = "demo"  # noqa: S105 - a published demo credential, created only with DEBUG
# A fellow's account, to try keeping a profile and writing a story (DEBUG only, same password).
DEMO_FELLOW_EMAIL = "fellow@twinning.example"
DEMO_FELLOW_SLUG = "florence-nick"

# Where generated media go: the same folders the models' upload_to use.
PORTRAIT_NAME = "fellows/photos/{slug}.png"
LOGO_NAME = "organizations/logos/{slug}.png"
STORY_COVER_NAME = "stories/covers/{slug}.png"
EVENT_COVER_NAME = "events/covers/{slug}.png"
REPORT_NAME = "stories/reports/{slug}.pdf"


class Sync:
    """Create-or-update by natural key, counting what actually changed."""

    def __init__(self):
        self.created = Counter()
        self.updated = Counter()
        self.files_written = 0
        self._new: set[tuple[str, object]] = set()
        self._pending: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.files_written)

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.created[model._meta.verbose_name_plural] += 1
            self._new.add((model._meta.label, obj.pk))
            return obj
        changed = [name for name, value in values.items() if _current(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save()
            self.updated[model._meta.verbose_name_plural] += 1
        return obj

    def set_related(self, obj: models.Model, name: str, targets: Iterable[models.Model]):
        """Replace a many-to-many set, only if it differs."""
        manager = getattr(obj, name)
        wanted = {target.pk for target in targets}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)
            if (obj._meta.label, obj.pk) not in self._new:
                self.updated[f"{obj._meta.verbose_name_plural} ({name})"] += 1

    def file(self, name: str, make: Callable[[], bytes]) -> str:
        """Return `name`; if storage lacks it, start drawing it in the background.

        Pillow releases the GIL while it draws and encodes, so the images are made while
        the loaders carry on with the database. write_files() saves them.
        """
        if name not in self._pending and not default_storage.exists(name):
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-media")
            self._pending[name] = self._pool.submit(make)
        return name

    def write_files(self):
        """Save the files drawn in the background (call after the rows are committed)."""
        try:
            for name, future in self._pending.items():
                saved = default_storage.save(name, ContentFile(future.result()))
                if saved != name:  # someone wrote it meanwhile: keep theirs, drop ours
                    default_storage.delete(saved)
                    continue
                self.files_written += 1
        finally:
            self.close()

    def close(self):
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _current(obj: models.Model, name: str):
    value = getattr(obj, name)
    return value.name if isinstance(value, FieldFile) else value


def _by_slug(model: type[models.Model], slugs: Iterable[str], where: str) -> list:
    slugs = list(slugs)
    found = model.objects.in_bulk(slugs, field_name="slug")
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise DemoDataError(f"{where}: unknown {model._meta.verbose_name} {', '.join(missing)}")
    return [found[slug] for slug in slugs]


# ---------------------------------------------------------------------------------------
# organizations: topics, rounds, organisations, pairings
# ---------------------------------------------------------------------------------------


def load_organizations(sync: Sync) -> None:
    for row in read_table("topics", "topic"):
        sync.upsert(
            Topic,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "name_zh": row.get("name_zh", ""),
                "description": row.get("description", ""),
            },
        )
    for row in read_table("rounds", "round"):
        sync.upsert(
            ExchangeRound,
            {"year": row["year"]},
            {
                "theme": row["theme"],
                "status": row["status"],
                "summary": row.get("summary", ""),
                "applications_open": row.get("applications_open"),
                "applications_close": row.get("applications_close"),
                "exchange_start": row.get("exchange_start"),
                "exchange_end": row.get("exchange_end"),
            },
        )
    for row in read_table("organizations", "organization"):
        slug = row["slug"]
        region = (
            Organization.Region.CHINA if row["country"] == "CN" else Organization.Region.EUROPE
        )
        organization = sync.upsert(
            Organization,
            {"slug": slug},
            {
                "name": row["name"],
                "name_zh": row.get("name_zh", ""),
                "region": region,
                "country": row["country"],
                "province": row.get("province", ""),
                "city": row.get("city", ""),
                "website": row.get("website", ""),
                "founded": row.get("founded"),
                "description": row.get("description", ""),
                "logo": sync.file(LOGO_NAME.format(slug=slug), lambda s=slug: images.logo_png(s)),
            },
        )
        sync.set_related(
            organization, "topics", _by_slug(Topic, row.get("topics", []), f"organization {slug}")
        )
    rounds = {r.year: r for r in ExchangeRound.objects.all()}
    for row in read_table("pairings", "pairing"):
        where = f"pairing {row['round']} {row['european']} ↔ {row['chinese']}"
        european, chinese = _by_slug(Organization, [row["european"], row["chinese"]], where)
        (topic,) = _by_slug(Topic, [row["topic"]], where)
        sync.upsert(
            Pairing,
            {
                "round": rounds[row["round"]],
                "european_organization": european,
                "chinese_organization": chinese,
            },
            {"topic_id": topic.pk, "summary": row.get("summary", "")},
        )


# ---------------------------------------------------------------------------------------
# fellows
# ---------------------------------------------------------------------------------------


def _pairing_for(row: dict) -> tuple[Organization, Pairing]:
    where = f"fellow {row['slug']}"
    home, partner = _by_slug(Organization, [row["organization"], row["partner"]], where)
    european, chinese = (home, partner) if home.is_european else (partner, home)
    pairing = Pairing.objects.filter(
        round__year=row["round"], european_organization=european, chinese_organization=chinese
    ).first()
    if pairing is None or european.is_european == chinese.is_european:
        raise DemoDataError(f"{where}: no pairing {row['round']} {european} ↔ {chinese}")
    return home, pairing


AUDIENCES = {"public": Audience.PUBLIC, "alumni": Audience.ALUMNI, "staff": Audience.STAFF}


def _consent(row: dict, round_year: int) -> dict:
    """Who sees what: public unless the row's `visibility` table says otherwise; a row with
    `consent = false` has recorded no choice (initials, no photo). The dates are fixed, so
    that a second run changes nothing."""
    if row.get("consent", True) is False:
        chosen = dict.fromkeys(CHOICE_FIELDS, Audience.STAFF)
        recorded_at = None
    else:
        visibility = row.get("visibility", {})
        try:
            chosen = {field: AUDIENCES[visibility.get(field, "public")] for field in CHOICE_FIELDS}
        except KeyError as error:
            raise DemoDataError(f"fellow {row['slug']}: unknown audience {error}") from error
        recorded_at = datetime.datetime(round_year + 1, 2, 1, 10, tzinfo=datetime.UTC)
    confirmed = row.get("confirmed")
    return {
        **{f"{field}_visibility": audience for field, audience in chosen.items()},
        "consent_recorded_at": recorded_at,
        "confirmed_at": datetime.datetime.combine(confirmed, datetime.time(9), datetime.UTC)
        if confirmed
        else None,
    }


def load_fellows(sync: Sync) -> None:
    for row in read_table("fellows", "fellow"):
        slug = row["slug"]
        home, pairing = _pairing_for(row)
        sync.upsert(
            Fellow,
            {"slug": slug},
            {
                "name": row["name"],
                "name_zh": row.get("name_zh", ""),
                "organization_id": home.pk,
                "pairing_id": pairing.pk,
                "direction": Fellow.Direction.EUROPE_TO_CHINA
                if home.is_european
                else Fellow.Direction.CHINA_TO_EUROPE,
                "role": row.get("role", ""),
                "biography": row.get("biography", ""),
                "testimonial": row.get("testimonial", ""),
                "contact_email": row.get("contact_email", ""),
                "links": "\n".join(row.get("links", [])),
                **_consent(row, row["round"]),
                "photo": sync.file(
                    PORTRAIT_NAME.format(slug=slug),
                    lambda s=slug, n=row["name"]: images.portrait_png(s, n),
                ),
            },
        )


# ---------------------------------------------------------------------------------------
# stories: keywords, stories
# ---------------------------------------------------------------------------------------


def load_stories(sync: Sync) -> None:
    for row in read_table("keywords", "keyword"):
        sync.upsert(
            Keyword,
            {"slug": row["slug"]},
            {"name": row["name"], "description": row.get("description", "")},
        )
    rounds = {r.year: r for r in ExchangeRound.objects.all()}
    for document in read_documents(STORIES_DIR):
        meta, slug = document.meta, document.slug
        where = f"story {document.path.name}"
        status = meta.get("status", Story.Status.PUBLISHED)
        published = meta.get("published")
        kind = meta.get("kind", Story.Kind.NEWS)
        values = {
            "title": meta["title"],
            "kind": kind,
            "status": status,
            "published_at": publication_time(published) if published else None,
            "summary": meta.get("summary", ""),
            "body": document.body,
            "body_html": render_markdown(document.body),
            "video_url": meta.get("video_url", ""),
            "round_id": rounds[meta["round"]].pk if "round" in meta else None,
            "cover": sync.file(
                STORY_COVER_NAME.format(slug=slug), lambda s=slug: images.cover_png(s)
            ),
            # The generated covers are decorative: an empty alt keeps screen readers quiet.
            "cover_alt": "",
            "report_file": "",
        }
        if kind == Story.Kind.REPORT:
            paragraphs = plain_paragraphs(document.body)
            values["report_file"] = sync.file(
                REPORT_NAME.format(slug=slug),
                lambda t=meta["title"], p=paragraphs: images.report_pdf(
                    t, "EU-China NGO Twinning", p
                ),
            )
        story = sync.upsert(Story, {"slug": slug}, values)
        for name, model in (
            ("keywords", Keyword),
            ("topics", Topic),
            ("fellows", Fellow),
            ("organizations", Organization),
        ):
            sync.set_related(story, name, _by_slug(model, meta.get(name, []), where))


# ---------------------------------------------------------------------------------------
# events: events and their speakers
# ---------------------------------------------------------------------------------------


def load_events(sync: Sync) -> None:
    rounds = {r.year: r for r in ExchangeRound.objects.all()}
    for document in read_documents(EVENTS_DIR):
        meta, slug = document.meta, document.slug
        where = f"event {document.path.name}"
        zone = meta.get("time_zone", "Europe/Berlin")
        event = sync.upsert(
            Event,
            {"slug": slug},
            {
                "title": meta["title"],
                "kind": meta["kind"],
                "summary": meta.get("summary", ""),
                "description": document.body,
                "description_html": render_markdown(document.body),
                "starts_at": event_time(meta["starts"], zone),
                "ends_at": event_time(meta["ends"], zone),
                "time_zone": zone,
                "venue": meta.get("venue", ""),
                "city": meta.get("city", ""),
                "online_url": meta.get("online_url", ""),
                "capacity": meta.get("capacity"),
                "recording_url": meta.get("recording_url", ""),
                "round_id": rounds[meta["round"]].pk if "round" in meta else None,
                "cover": sync.file(
                    EVENT_COVER_NAME.format(slug=slug),
                    lambda s=f"event-{slug}": images.cover_png(s),
                ),
            },
        )
        for name, model in (("topics", Topic), ("organizations", Organization)):
            sync.set_related(event, name, _by_slug(model, meta.get(name, []), where))
        speakers = meta.get("speakers", [])
        for position, speaker in enumerate(speakers, start=1):
            fellow = (
                _by_slug(Fellow, [speaker["fellow"]], where)[0] if "fellow" in speaker else None
            )
            sync.upsert(
                Speaker,
                {"event": event, "position": position},
                {
                    "name": speaker["name"],
                    "affiliation": speaker.get("affiliation", ""),
                    "gender": speaker.get("gender", Speaker.Gender.UNDISCLOSED),
                    "fellow_id": fellow.pk if fellow else None,
                },
            )
        extra = event.speakers.filter(position__gt=len(speakers))
        if extra.exists():
            extra.delete()
            sync.updated["speakers (removed)"] += 1


# ---------------------------------------------------------------------------------------
# subscriptions: the archive of programme newsletters
# ---------------------------------------------------------------------------------------


def load_newsletters(sync: Sync) -> None:
    """Newsletters sent in the past, for the public archive. They are written straight to
    the table with their `sent_at`: nothing is sent and no delivery is recorded, whoever
    subscribes (sending is `services.newsletter_send`, from the admin)."""
    for document in read_documents(NEWSLETTERS_DIR):
        meta = document.meta
        sync.upsert(
            Newsletter,
            {"slug": document.slug},
            {
                "subject": meta["subject"],
                "summary": meta.get("summary", ""),
                "body": document.body,
                "body_html": render_markdown(document.body),
                "sent_at": publication_time(meta["sent"]),
            },
        )


# ---------------------------------------------------------------------------------------
# accounts: the demo staff user, only in development
# ---------------------------------------------------------------------------------------


def load_accounts(sync: Sync) -> list[str]:
    """Create the demo staff superuser and the demo fellow's account when DEBUG is on and
    they do not exist. Returns what it created, as messages."""
    if not settings.DEBUG:
        return []
    messages = []
    if _demo_account(sync, DEMO_USER_EMAIL, name="Demo Staff", staff=True):
        messages.append(
            f"Created the staff superuser {DEMO_USER_EMAIL} with password “{DEMO_USER_PASSWORD}”."
        )
    fellow = Fellow.objects.filter(slug=DEMO_FELLOW_SLUG).first()
    if fellow is not None and fellow.user_id is None:
        user = get_user_model().objects.filter(email=DEMO_FELLOW_EMAIL).first()
        if user is None:
            user = _demo_account(sync, DEMO_FELLOW_EMAIL, name=fellow.name, staff=False)
            messages.append(
                f"Created the fellow account {DEMO_FELLOW_EMAIL} ({fellow.name}) with "
                f"password “{DEMO_USER_PASSWORD}”."
            )
        if not Fellow.objects.filter(user=user).exists():
            Fellow.objects.filter(pk=fellow.pk).update(user=user)
    return messages


def _demo_account(sync: Sync, email: str, *, name: str, staff: bool):
    """The account for `email` with a confirmed address; None when it existed already."""
    from allauth.account.models import EmailAddress

    user_model = get_user_model()
    if user_model.objects.filter(email=email).exists():
        return None
    if staff:
        user = user_model.objects.create_superuser(email, DEMO_USER_PASSWORD, name=name)
    else:
        user = user_model.objects.create_user(email, DEMO_USER_PASSWORD, name=name)
    sync.created["users"] += 1
    # Sign-in requires a confirmed address (allauth, mandatory verification).
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


# ---------------------------------------------------------------------------------------
# All of it, and the way back
# ---------------------------------------------------------------------------------------


def load_all() -> tuple[Sync, list[str]]:
    """Every loader in dependency order, in one transaction; then the missing media files."""
    sync = Sync()
    messages = []
    try:
        with transaction.atomic():
            load_organizations(sync)
            load_fellows(sync)
            load_stories(sync)
            load_events(sync)
            load_newsletters(sync)
            messages += load_accounts(sync)
    except BaseException:
        sync.close()
        raise
    sync.write_files()
    return sync, messages


def demo_keys() -> dict[str, list]:
    """The natural keys of every curated row, read from the demo files."""
    return {
        "topics": [row["slug"] for row in read_table("topics", "topic")],
        "rounds": [row["year"] for row in read_table("rounds", "round")],
        "organizations": [row["slug"] for row in read_table("organizations", "organization")],
        "fellows": [row["slug"] for row in read_table("fellows", "fellow")],
        "keywords": [row["slug"] for row in read_table("keywords", "keyword")],
        "stories": [document.slug for document in read_documents(STORIES_DIR)],
        "events": [document.slug for document in read_documents(EVENTS_DIR)],
        "newsletters": [document.slug for document in read_documents(NEWSLETTERS_DIR)],
    }


def demo_media_names(keys: dict[str, list]) -> list[str]:
    return [
        *(LOGO_NAME.format(slug=slug) for slug in keys["organizations"]),
        *(PORTRAIT_NAME.format(slug=slug) for slug in keys["fellows"]),
        *(STORY_COVER_NAME.format(slug=slug) for slug in keys["stories"]),
        *(REPORT_NAME.format(slug=slug) for slug in keys["stories"]),
        *(EVENT_COVER_NAME.format(slug=slug) for slug in keys["events"]),
    ]


def delete_all(scale_prefix_regex: str) -> Counter:
    """Delete the demo-owned rows (curated and --scale volume) and the demo media files.

    Rows that staff created themselves are kept; if one of them depends on a demo row
    through a protected foreign key (a fellow in a demo pairing, say), Django raises
    ProtectedError and nothing is deleted. In development (DEBUG) the subscribers go too,
    with their consent records and emails: they are the addresses used to try the
    sign-up by hand. Elsewhere real subscribers are never touched.
    """
    keys = demo_keys()
    deleted = Counter()

    with transaction.atomic():
        if settings.DEBUG:
            _total, per_model = Subscriber.objects.all().delete()
            for model in (Subscriber, Delivery):
                meta = model._meta
                deleted[str(meta.verbose_name_plural)] += per_model.get(meta.label, 0)
        demo_orgs = Organization.objects.filter(slug__in=keys["organizations"])
        scale_orgs = Organization.objects.filter(slug__regex=scale_prefix_regex)
        steps = [
            Event.objects.filter(slug__in=keys["events"]),
            Event.objects.filter(slug__regex=scale_prefix_regex),
            Story.objects.filter(slug__in=keys["stories"]),
            Story.objects.filter(slug__regex=scale_prefix_regex),
            Fellow.objects.filter(slug__in=keys["fellows"]),
            Fellow.objects.filter(slug__regex=scale_prefix_regex),
            Pairing.objects.filter(
                european_organization__in=demo_orgs, chinese_organization__in=demo_orgs
            ),
            Pairing.objects.filter(european_organization__in=scale_orgs),
            demo_orgs,
            scale_orgs,
            Keyword.objects.filter(slug__in=keys["keywords"]),
            Topic.objects.filter(slug__in=keys["topics"]),
            ExchangeRound.objects.filter(year__in=keys["rounds"]),
            Newsletter.objects.filter(slug__in=keys["newsletters"]),
        ]
        for queryset in steps:
            _total, per_model = queryset.delete()
            meta = queryset.model._meta
            deleted[str(meta.verbose_name_plural)] += per_model.get(meta.label, 0)
    for name in demo_media_names(keys):
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted["media files"] += 1
    return deleted
