"""`manage.py seed_demo`: fill the site with the curated demo content, idempotently.

    seed_demo                 load twinning/demo/ (a second run changes nothing)
    seed_demo --reset         delete the demo rows and media first, then load afresh
                              (in development also every subscriber and their emails)
    seed_demo --reset-only    delete the demo rows and media, and stop
    seed_demo --scale 170     also add 170 units of volume data (≈10,000 fellows)

The content itself lives in twinning/demo/ (TOML tables and Markdown files); see
twinning/demo/loaders.py for how it is loaded and twinning/demo/scale.py for the volume data.

Last, the responsive renditions of the curated images (portraits, logos, covers) are drawn,
so that the first visitor of a list page does not wait for them (common/renditions.py). A
second run finds them in storage and draws nothing. The volume data has no images.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from common.renditions import renditions_for, renditions_forget
from events.models import Event, Speaker
from fellows.models import Fellow
from organizations.models import ExchangeRound, Organization, Pairing, Topic
from stories.models import Keyword, Story
from subscriptions.models import Newsletter
from twinning.demo.content import DemoDataError
from twinning.demo.loaders import delete_all, demo_keys, load_all
from twinning.demo.scale import PREFIX_REGEX

# Each curated image as the pages show it with {% picture %}: (model, key in demo_keys(),
# image field, rendition spec).
PICTURES = [
    (Fellow, "fellows", "photo", "portrait"),
    (Organization, "organizations", "logo", "logo"),
    (Story, "stories", "cover", "cover"),
    (Event, "events", "cover", "cover"),
]


class Command(BaseCommand):
    help = "Load the curated demo content (idempotent); optionally add volume data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo-owned rows and media files first, then load afresh.",
        )
        parser.add_argument(
            "--reset-only",
            action="store_true",
            help="Delete the demo-owned rows and media files, and load nothing.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also add N times the demo's volume with bulk inserts (needs Faker). "
            "Re-runnable: units already present are skipped.",
        )

    def handle(self, *args, reset=False, reset_only=False, scale=0, verbosity=1, **options):
        if scale < 0:
            raise CommandError("--scale must be zero or a positive number.")
        started = time.perf_counter()

        if reset or reset_only:
            try:
                deleted = delete_all(PREFIX_REGEX)
            except ProtectedError as error:
                raise CommandError(
                    "Some rows that are not demo content still point at demo rows, so nothing "
                    f"was deleted: {error.args[0]}"
                ) from error
            summary = ", ".join(f"{n} {label}" for label, n in deleted.items() if n) or "nothing"
            self.stdout.write(f"Deleted demo content: {summary}.")
            if reset_only:
                return

        try:
            sync, messages = load_all()
        except DemoDataError as error:
            raise CommandError(f"Demo data: {error}") from error
        for message in messages:
            self.stdout.write(self.style.WARNING(message))

        if scale:
            self.add_scale(scale, verbosity)

        self.stdout.write(self.counts_line())
        if sync.changed:
            changes = [f"{n} {label} created" for label, n in sorted(sync.created.items())]
            changes += [f"{n} {label} updated" for label, n in sorted(sync.updated.items())]
            if sync.files_written:
                changes.append(f"{sync.files_written} media files written")
            self.stdout.write("This run: " + "; ".join(changes) + ".")
        else:
            self.stdout.write("This run: unchanged (the demo content was already up to date).")
        self.draw_renditions()
        self.stdout.write(
            self.style.SUCCESS(f"Demo content ready in {time.perf_counter() - started:.1f}s.")
        )

    def add_scale(self, units: int, verbosity: int):
        try:
            import faker  # noqa: F401 - only to give a clear message when it is missing
        except ImportError as error:
            raise CommandError(
                "--scale needs Faker, a development dependency: "
                "pip install -r requirements-dev.txt"
            ) from error
        from twinning.demo.scale import add_scale

        started = time.perf_counter()
        counts = add_scale(units, self.stdout.write if verbosity > 1 else None)
        if counts:
            added = ", ".join(f"{n} {label}" for label, n in counts.items() if label != "units")
            self.stdout.write(
                f"Scale: added {counts['units']} units ({added}) "
                f"in {time.perf_counter() - started:.1f}s."
            )
        else:
            self.stdout.write(f"Scale: all {units} units already present, nothing added.")

    def draw_renditions(self):
        """Draw the renditions of every curated image now, with the function the
        {% picture %} tag calls; those already in storage are only looked up."""
        started = time.perf_counter()
        keys = demo_keys()
        images = []
        for model, key, field, spec in PICTURES:
            rows = model.objects.filter(slug__in=keys[key]).exclude(**{field: ""})
            images.extend((getattr(row, field), spec) for row in rows.only(field))

        def draw(image, spec):
            # Look in storage, not in what the cache remembers: --reset may have drawn
            # the files again under the same names.
            renditions_forget(image, spec)
            return renditions_for(image, spec)

        # Pillow lets go of the GIL while it resizes and encodes; no database in the threads.
        workers = min(4, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="renditions") as pool:
            drawn = list(pool.map(lambda pair: draw(*pair), images))
        missing = drawn.count(None)
        if missing:
            self.stdout.write(self.style.WARNING(f"No renditions for {missing} images."))
        self.stdout.write(
            f"Renditions of {len(images) - missing} images ready "
            f"in {time.perf_counter() - started:.1f}s."
        )

    def counts_line(self) -> str:
        counts = [
            (ExchangeRound, "rounds"),
            (Topic, "topics"),
            (Organization, "organisations"),
            (Pairing, "pairings"),
            (Fellow, "fellows"),
            (Keyword, "keywords"),
            (Story, "stories"),
            (Event, "events"),
            (Speaker, "speakers"),
            (Newsletter, "newsletters"),
        ]
        parts = [f"{model.objects.count()} {label}" for model, label in counts]
        return "In the database: " + ", ".join(parts) + "."
