"""Benchmarks of the busiest pages on a big data set. Run with `make bench`.

Collected only when python_files is `bench_*.py` (the Makefile's bench target), never by
`make test`. Prints figures and asserts nothing about time: machines differ, and a slow
page is a conversation, not a red build. Scale with BENCH_SCALE (seed_demo --scale N),
requests per page with BENCH_REQUESTS, the builder with BENCH_BUILDER=factories.
"""

import datetime
import os
import statistics
import time
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from fellows.models import Fellow
from organizations.models import ExchangeRound, Organization, Pairing, Topic
from stories.models import Story

SCALE = int(os.environ.get("BENCH_SCALE", "20"))
# "seed_demo" (the default when the command has --scale) or "factories".
BUILDER = os.environ.get("BENCH_BUILDER", "")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))


def seed_demo_scales():
    try:
        parser = load_command_class("twinning", "seed_demo").create_parser("manage.py", "x")
    except (ImportError, ModuleNotFoundError, AttributeError):
        return False
    return any("--scale" in action.option_strings for action in parser._actions)


def build_with_seed_demo(scale):
    call_command("seed_demo", scale=scale, stdout=StringIO(), stderr=StringIO())


def build_with_factories(scale):
    """Bulk inserts from factory-built rows: about 170 fellows per unit of scale."""
    from tests.fellows.factories import FellowFactory
    from tests.organizations.factories import (
        ChineseOrganizationFactory,
        EuropeanOrganizationFactory,
        TopicFactory,
    )
    from tests.stories.factories import StoryFactory

    topics = Topic.objects.bulk_create(TopicFactory.build_batch(12))
    rounds = ExchangeRound.objects.bulk_create(
        ExchangeRound(year=year, theme=f"Round {year}", status="completed")
        for year in range(2013, 2026)
    )
    size = 30 * scale
    european = Organization.objects.bulk_create(EuropeanOrganizationFactory.build_batch(size))
    chinese = Organization.objects.bulk_create(ChineseOrganizationFactory.build_batch(size))
    pairings = Pairing.objects.bulk_create(
        Pairing(
            round=rounds[i % len(rounds)],
            european_organization=european[i],
            chinese_organization=chinese[i],
            topic=topics[i % len(topics)],
        )
        for i in range(size)
    )
    fellows = []
    for i, pairing in enumerate(pairings * 3):
        fellow = FellowFactory.build(pairing=pairing, slug=f"bench-fellow-{i}")
        if i % 2:
            fellow.direction = Fellow.Direction.CHINA_TO_EUROPE
            fellow.organization = pairing.chinese_organization
        fellows.append(fellow)
    fellows = Fellow.objects.bulk_create(fellows)
    now = timezone.now()
    stories = Story.objects.bulk_create(
        StoryFactory.build(
            slug=f"bench-story-{i}",
            kind=Story.Kind.values[i % 4],
            published_at=now - datetime.timedelta(hours=i),
            round=rounds[i % len(rounds)],
        )
        for i in range(40 * scale)
    )
    Story.topics.through.objects.bulk_create(
        Story.topics.through(story=story, topic=topics[i % len(topics)])
        for i, story in enumerate(stories)
    )
    Story.fellows.through.objects.bulk_create(
        Story.fellows.through(story=story, fellow=fellows[i % len(fellows)])
        for i, story in enumerate(stories)
    )


def measure(client, url):
    client.get(url)  # warm up
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    return statistics.median(timings), max(timings), len(queries), size


@pytest.mark.django_db
def test_bench_pages(client):
    started = time.perf_counter()
    if BUILDER != "factories" and seed_demo_scales():
        how = f"seed_demo --scale {SCALE}"
        build_with_seed_demo(SCALE)
    else:
        how = f"factories, bulk (scale {SCALE})"
        build_with_factories(SCALE)
    built = time.perf_counter() - started

    fellow = Fellow.objects.for_cards().exclude(pairing=None).first()
    organization = Pairing.objects.with_organizations().first().chinese_organization
    story = Story.objects.published().first()
    topic = Topic.objects.first()
    pages = {
        "home": reverse("home"),
        "fellows list": reverse("fellows:list"),
        "fellows list, filtered": reverse("fellows:list") + "?round=2015&direction=eu-cn",
        "fellows list, page 10": reverse("fellows:list") + "?page=10",
        "fellows list, text query": reverse("fellows:list") + "?q=an",
        "organisations list": reverse("organizations:list"),
        "organisations list, round": reverse("organizations:list") + "?round=2015",
        "stories list": reverse("stories:list"),
        "stories list, topic": reverse("stories:list") + f"?topic={topic.slug}",
        "events list": reverse("events:list"),
        "fellow profile": fellow.get_absolute_url(),
        "organisation profile": organization.get_absolute_url(),
        "story": story.get_absolute_url(),
        "topic hub": topic.get_absolute_url(),
        "search": reverse("search") + "?q=climate",
    }

    print()
    print(f"Data: {how} in {built:.1f}s on {connection.vendor}:")
    for model in (Organization, Pairing, Fellow, Story, Event):
        print(f"  {model._meta.verbose_name_plural}: {model.objects.count()}")
    print(
        f"{'page':<28} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KB':>7}"
        f"   ({REQUESTS} requests each)"
    )
    for name, url in pages.items():
        median, worst, queries, size = measure(client, url)
        print(f"{name:<28} {median:>10.1f} {worst:>8.1f} {queries:>8} {size / 1024:>7.0f}")
