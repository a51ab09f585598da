"""Benchmark of the email outbox: one story to BENCH_SUBSCRIBERS followers. Run with
`make bench` (needs PostgreSQL via DATABASE_URL and a redis-server binary; skips without).

- bare loop: one smtplib connection pushes BENCH_SUBSCRIBERS pre-rendered real messages
  (the list's mix of languages) to the sink, the limit of the channel; half before the
  end-to-end runs and half after, so that both see the same conditions of the machine;
- end to end: `story_announce` records the rows (timed, with its tracemalloc peak), then real
  Celery workers (prefork, BENCH_CONCURRENCY processes, on a private Redis) send every message
  to the same sink; timed from the commit until every row is sent and the sink counted them.
The sink (aiosmtpd, counting only) runs in its own process so it shares no GIL with what is
measured. Both phases run at 10,000 subscribers and at BENCH_SUBSCRIBERS, to show that memory
stays flat as the list grows. Prints figures and asserts only correctness (every message
delivered once), never time.
"""

import email.policy
import os
import re
import smtplib
import statistics
import time
import tracemalloc
from contextlib import ExitStack

import pytest
from django.conf import settings
from django.db import connection, transaction

from subscriptions import services
from subscriptions.emails import MessageBuilder
from subscriptions.models import Delivery, Subscriber
from tests.conftest import require_service
from tests.organizations.factories import TopicFactory
from tests.stories.factories import StoryFactory
from tests.subscriptions.smtp import CountingSinkProcess
from tests.subscriptions.workers import (
    CeleryWorker,
    RedisServer,
    celery_publishing_to,
    database_url,
    redis_server_binary,
    worker_environment,
)

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "100000"))
SIZES = sorted({min(10_000, SUBSCRIBERS), SUBSCRIBERS})
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
BATCH_SIZE = int(os.environ.get("BENCH_BATCH_SIZE", str(settings.TWINNING_DELIVERY_BATCH_SIZE)))
DEADLINE = float(os.environ.get("BENCH_DEADLINE", "600"))  # seconds per end-to-end run


def add_subscribers(*, upto: int, topic) -> None:
    """Confirmed subscribers bench<n>@example.org up to `upto`, all following `topic`, a
    quarter reading Chinese: two INSERT … SELECT generate_series statements."""
    start = Subscriber.objects.count() + 1
    if start > upto:
        return
    subscriber = connection.ops.quote_name(Subscriber._meta.db_table)
    follows = connection.ops.quote_name(Subscriber.topics.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {subscriber} (email, language, frequency, follows_all_news,"  # noqa: S608
            " follows_events, key, confirmed_at, suppression_reason, created_at, updated_at)"
            " SELECT 'bench' || i || '@example.org',"
            " CASE WHEN i %% 4 = 0 THEN 'zh-hans' ELSE 'en' END, 'immediate', false, false,"
            " md5(random()::text || i::text), now(), '', now(), now()"
            " FROM generate_series(%s, %s) AS i",
            [start, upto],
        )
        cursor.execute(
            f"INSERT INTO {follows} (subscriber_id, topic_id)"  # noqa: S608
            f" SELECT s.id, %s FROM {subscriber} s WHERE s.email LIKE 'bench%%'"
            f" AND NOT EXISTS (SELECT 1 FROM {follows} f WHERE f.subscriber_id = s.id)",
            [topic.pk],
        )
        # A production database has statistics (autovacuum); without them the planner
        # takes the EXISTS of a fresh 100,000-row table for one row and nests loops.
        cursor.execute(f"ANALYZE {subscriber}, {follows}")


def record(story) -> tuple[int, float, int]:
    """story_announce in a transaction: (rows, seconds, tracemalloc peak in bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    with transaction.atomic():
        recorded = services.story_announce(story=story)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return recorded, seconds, peak


def wait_for_delivery(story, sink, *, expected: int, sink_before: int) -> float:
    """Seconds until every row of the story is sent and the sink counted every message."""
    started = time.perf_counter()
    deadline = started + DEADLINE
    rows = Delivery.objects.filter(story=story)
    while True:
        counted = sink.count() - sink_before
        if counted >= expected and rows.counts()["sent"] == expected:
            return time.perf_counter() - started
        if time.perf_counter() > deadline:
            raise AssertionError(
                f"After {DEADLINE:g}s: {rows.counts()} rows, sink counted {counted}/{expected}"
            )
        time.sleep(0.25)


def bare_loop(sink, messages: list[bytes], count: int) -> float:
    """Seconds to push `count` pre-rendered messages (`messages` in turn) through one
    smtplib connection."""
    client = smtplib.SMTP("127.0.0.1", sink.port, local_hostname="bench.test")
    sender = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    started = time.perf_counter()
    for number in range(count):
        client.sendmail(
            sender, [f"bench{number + 1}@example.org"], messages[number % len(messages)]
        )
    seconds = time.perf_counter() - started
    client.quit()
    return seconds


def rendered_messages(story) -> list[bytes]:
    """Real messages about the story, rendered as the workers render them, for the first
    four subscribers: the list's mix of languages (three in English, one in Chinese)."""
    builder = MessageBuilder()
    return [
        builder.build(
            Delivery(
                pk=subscriber.pk, kind=Delivery.Kind.STORY, subscriber=subscriber, story=story
            )
        )
        .message(policy=email.policy.SMTP)
        .as_bytes()
        for subscriber in Subscriber.objects.order_by("pk")[:4]
    ]


def send_task_seconds(log: str) -> list[float]:
    """How long each deliveries_send task took, from the worker's log."""
    return [
        float(seconds)
        for seconds in re.findall(r"deliveries_send\[[^\]]+\] succeeded in ([0-9.]+)s", log)
    ]


def kib(value: float) -> str:
    return f"{value / 1024:,.0f} KiB"


@pytest.mark.django_db(transaction=True)
def test_bench_delivery(settings, tmp_path):
    def on_postgresql():
        if connection.vendor != "postgresql":
            raise LookupError(f"the benchmark runs on {connection.vendor}; set DATABASE_URL")
        return True

    require_service("PostgreSQL (the workers are other processes)", on_postgresql)
    require_service("redis-server", redis_server_binary)
    settings.SITE_URL = "https://twinning.example"

    with ExitStack() as stack:
        sink = CountingSinkProcess()
        stack.callback(sink.stop)
        redis = RedisServer(tmp_path / "redis").start()
        stack.callback(redis.stop)
        stack.enter_context(celery_publishing_to(redis.url))
        env = worker_environment(
            database_url=database_url(connection.settings_dict),
            redis_url=redis.url,
            email_url=sink.url,
            secret_key=settings.SECRET_KEY,
            TWINNING_DELIVERY_BATCH_SIZE=BATCH_SIZE,
        )
        topic = TopicFactory()
        runs, bare = [], {"seconds": 0.0, "sent": 0, "client_cpu": 0.0, "sink_cpu": 0.0}

        def bare_half(messages, count):
            """Half the bare loop before the end-to-end runs and half after: the two are
            measured under the same conditions of the machine."""
            sink_before, sink_cpu, client_cpu = (
                sink.count(),
                sink.cpu_seconds(),
                time.process_time(),
            )
            bare["seconds"] += bare_loop(sink, messages, count)
            bare["client_cpu"] += time.process_time() - client_cpu
            bare["sink_cpu"] += sink.cpu_seconds() - sink_cpu
            bare["sent"] += count
            assert sink.count() - sink_before == count

        record(StoryFactory())  # nobody follows it: warms up what every first query allocates

        for number, size in enumerate(SIZES):
            started = time.perf_counter()
            add_subscribers(upto=size, topic=topic)
            seeded = time.perf_counter() - started
            story = StoryFactory(topics=[topic])
            if number == 0:
                messages = rendered_messages(story)
                bare_half(messages, SUBSCRIBERS // 2)
            worker = CeleryWorker(
                env=env, log_path=tmp_path / f"worker-{size}.log", concurrency=CONCURRENCY
            )
            stack.callback(worker.stop)
            worker.start()
            sink_before, sink_cpu, worker_cpu = (
                sink.count(),
                sink.cpu_seconds(),
                worker.cpu_seconds(),
            )
            recorded, record_seconds, record_peak = record(story)
            assert recorded == size
            send_seconds = wait_for_delivery(story, sink, expected=size, sink_before=sink_before)
            assert sink.count() - sink_before == size  # none twice
            worker_cpu = worker.cpu_seconds() - worker_cpu
            sink_cpu = sink.cpu_seconds() - sink_cpu
            peaks = worker.peak_rss_kib()
            worker.stop()
            tasks = send_task_seconds(worker.log())
            runs.append(
                {
                    "size": size,
                    "seeded": seeded,
                    "record_seconds": record_seconds,
                    "record_peak": record_peak,
                    "send_seconds": send_seconds,
                    "rss": peaks,
                    "tasks": tasks,
                    "worker_cpu": worker_cpu,
                    "sink_cpu": sink_cpu,
                }
            )
        bare_half(messages, SUBSCRIBERS - SUBSCRIBERS // 2)

    bare_rate = bare["sent"] / bare["seconds"]
    print()
    print(
        f"Delivery benchmark on {connection.vendor}: {CONCURRENCY} worker processes (prefork),"
        f" batches of {BATCH_SIZE}, messages of"
        f" {', '.join(f'{len(message):,}' for message in messages)} bytes"
    )
    print(f"{'':<40} " + " ".join(f"{run['size']:>14,}" for run in runs))
    rows = [
        ("seeding subscribers (s)", lambda r: f"{r['seeded']:.1f}"),
        ("record rows: story_announce (s)", lambda r: f"{r['record_seconds']:.2f}"),
        ("record rows (rows/s)", lambda r: f"{r['size'] / r['record_seconds']:,.0f}"),
        ("record rows: tracemalloc peak", lambda r: kib(r["record_peak"])),
        ("send: commit → all sent (s)", lambda r: f"{r['send_seconds']:.1f}"),
        ("send: end to end (msgs/s)", lambda r: f"{r['size'] / r['send_seconds']:,.0f}"),
        ("end to end / bare loop", lambda r: f"{r['size'] / r['send_seconds'] / bare_rate:.2f}"),
        ("send tasks: count", lambda r: f"{len(r['tasks'])}"),
        ("send tasks: median (s)", lambda r: f"{statistics.median(r['tasks'] or [0]):.2f}"),
        (
            "send tasks: busy share of the pool",
            lambda r: f"{sum(r['tasks']) / (r['send_seconds'] * CONCURRENCY):.0%}",
        ),
        ("CPU per message: workers (ms)", lambda r: f"{r['worker_cpu'] / r['size'] * 1000:.2f}"),
        ("CPU per message: sink (ms)", lambda r: f"{r['sink_cpu'] / r['size'] * 1000:.2f}"),
        ("worker peak RSS, largest process", lambda r: kib(max(r["rss"].values()) * 1024)),
        ("worker peak RSS, all processes", lambda r: kib(sum(r["rss"].values()) * 1024)),
    ]
    for label, cell in rows:
        print(f"{label:<40} " + " ".join(f"{cell(run):>14}" for run in runs))
    print(
        f"bare loop: {bare['sent']:,} messages through one smtplib connection in"
        f" {bare['seconds']:.1f}s = {bare_rate:,.0f} msgs/s; CPU per message: client"
        f" {bare['client_cpu'] / bare['sent'] * 1000:.2f} ms,"
        f" sink {bare['sink_cpu'] / bare['sent'] * 1000:.2f} ms"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
