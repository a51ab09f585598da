"""Reading the curated demo files: TOML tables and Markdown files with TOML front matter.

Nothing here touches the database; `loaders.py` turns what these functions return into rows.
"""

import datetime as dt
import re
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
DATA_DIR = DEMO_DIR / "data"
STORIES_DIR = DEMO_DIR / "stories"
EVENTS_DIR = DEMO_DIR / "events"
NEWSLETTERS_DIR = DEMO_DIR / "newsletters"

# A story dated with a plain date is published at 10:00 in the programme office's zone.
PUBLISH_ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
PUBLISH_TIME = dt.time(10, 0)

FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(?P<meta>.*?)\n\+\+\+\s*\n(?P<body>.*)\Z", re.DOTALL)
RELATIVE = re.compile(r"^\s*(?P<sign>[+-])(?P<days>\d+) days?\s+(?P<time>\d{1,2}:\d{2})\s*$")


class DemoDataError(ValueError):
    """A demo file is malformed or refers to something that does not exist."""


def read_table(name: str, key: str) -> list[dict]:
    """The list of `[[key]]` tables in data/<name>.toml."""
    path = DATA_DIR / f"{name}.toml"
    try:
        with path.open("rb") as file:
            return tomllib.load(file).get(key, [])
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path}: {error}") from error


@dataclass(frozen=True)
class Document:
    slug: str
    meta: dict
    body: str
    path: Path


def read_documents(directory: Path) -> list[Document]:
    """Every <slug>.md in the directory: TOML front matter between +++ lines, then Markdown."""
    documents = []
    for path in sorted(directory.glob("*.md")):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        if not match:
            raise DemoDataError(f"{path}: expected TOML front matter between '+++' lines")
        try:
            meta = tomllib.loads(match["meta"])
        except tomllib.TOMLDecodeError as error:
            raise DemoDataError(f"{path}: {error}") from error
        documents.append(Document(path.stem, meta, match["body"].strip() + "\n", path))
    return documents


def publication_time(value) -> dt.datetime:
    """A TOML date (10:00 Berlin time) or an offset date-time, as an aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=PUBLISH_ZONE)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, PUBLISH_TIME, tzinfo=PUBLISH_ZONE)
    raise DemoDataError(f"not a date: {value!r}")


def event_time(value, zone_name: str, today: dt.date | None = None) -> dt.datetime:
    """An event time in its own zone, from a TOML local date-time or from "+21 days 14:00".

    Relative times count from today's date in the event's zone, so upcoming events stay
    upcoming whenever the demo is seeded.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, str) and (match := RELATIVE.match(value)):
        if today is None:
            today = dt.datetime.now(tz=zone).date()
        days = int(match["days"]) * (1 if match["sign"] == "+" else -1)
        hour, minute = (int(part) for part in match["time"].split(":"))
        return dt.datetime.combine(
            today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=zone
        )
    raise DemoDataError(
        f"not an event time: {value!r} (use 2017-06-15T09:00:00 or '+21 days 14:00')"
    )


def _plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # links → their text
    return " ".join(re.sub(r"[*_`]", "", text).split())


def plain_paragraphs(markdown_text: str) -> list[str]:
    """Markdown reduced to plain text for the generated report PDFs.

    One string per block; list items and table rows become lines of their own ("\\n").
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", markdown_text.strip()):
        lines, prose = [], []
        for line in block.splitlines():
            stripped = line.strip()
            if stripped.startswith("|"):
                cells = [_plain(cell) for cell in stripped.strip("|").split("|")]
                if not all(set(cell) <= set("-: ") for cell in cells):
                    lines.append(" – ".join(cells))
            elif match := re.match(r"^([-*]|\d+\.)\s+(.*)", stripped):
                bullet = "•" if match[1] in "-*" else match[1]
                lines.append(f"{bullet} {_plain(match[2])}")
            else:
                prose.append(_plain(re.sub(r"^(#+|>)\s*", "", stripped)))
        text = "\n".join(filter(None, [" ".join(filter(None, prose)), *lines]))
        if text:
            paragraphs.append(text)
    return paragraphs
