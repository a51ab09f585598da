"""Video links: only allow-listed providers, played through a privacy-friendly embed.

A story's video link must point at one video on YouTube, Vimeo, Bilibili or Youku. The link is
parsed strictly (exact host names, no user-info or port tricks, the provider's own id syntax)
and reduced to the provider and the video id. Pages never echo the typed link: they build the
watch link and the embed address from the id, and the embed is loaded only when the visitor
asks for it (includes/video_embed.html with static/js/video.js). The embed hosts below are
the privacy-enhanced ones, and the only frame sources the Content-Security-Policy allows
(SECURE_CSP["frame-src"] in settings; a test keeps the two lists equal).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    hosts: frozenset[str]
    embed_origin: str


YOUTUBE = Provider(
    "youtube",
    "YouTube",
    frozenset(
        {
            "youtube.com",
            "www.youtube.com",
            "m.youtube.com",
            "youtu.be",
            "youtube-nocookie.com",
            "www.youtube-nocookie.com",
        }
    ),
    "https://www.youtube-nocookie.com",
)
VIMEO = Provider(
    "vimeo",
    "Vimeo",
    frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
    "https://player.vimeo.com",
)
BILIBILI = Provider(
    "bilibili",
    "Bilibili",
    frozenset({"bilibili.com", "www.bilibili.com", "m.bilibili.com", "player.bilibili.com"}),
    "https://player.bilibili.com",
)
YOUKU = Provider(
    "youku",
    "Youku",
    frozenset({"v.youku.com", "m.youku.com", "player.youku.com"}),
    "https://player.youku.com",
)
PROVIDERS = (YOUTUBE, VIMEO, BILIBILI, YOUKU)
# What SECURE_CSP["frame-src"] must list, and nothing more.
EMBED_ORIGINS = tuple(provider.embed_origin for provider in PROVIDERS)
PROVIDER_NAMES = ", ".join(provider.name for provider in PROVIDERS)

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
VIMEO_ID = re.compile(r"[1-9][0-9]{0,11}")
VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
BILIBILI_ID = re.compile(r"BV[0-9A-Za-z]{10}")
YOUKU_ID = re.compile(r"X[A-Za-z0-9]{8,24}={0,2}")


@dataclass(frozen=True)
class Video:
    """One video at an allow-listed provider, known by its id only."""

    provider: Provider
    id: str
    vimeo_hash: str = ""  # the key of an unlisted Vimeo video

    @property
    def provider_name(self) -> str:
        return self.provider.name

    @property
    def watch_url(self) -> str:
        """The video's page at the provider: the plain link for visitors without JavaScript."""
        match self.provider.key:
            case "youtube":
                return f"https://www.youtube.com/watch?v={self.id}"
            case "vimeo":
                return f"https://vimeo.com/{self.id}" + (
                    f"/{self.vimeo_hash}" if self.vimeo_hash else ""
                )
            case "bilibili":
                return f"https://www.bilibili.com/video/{self.id}/"
            case _:
                return f"https://v.youku.com/v_show/id_{self.id}.html"

    @property
    def embed_url(self) -> str:
        """The player on the provider's privacy-enhanced host (no tracking cookies where the
        provider offers that, no autoplay)."""
        origin = self.provider.embed_origin
        match self.provider.key:
            case "youtube":
                return f"{origin}/embed/{self.id}"
            case "vimeo":
                key = f"h={self.vimeo_hash}&" if self.vimeo_hash else ""
                return f"{origin}/video/{self.id}?{key}dnt=1"
            case "bilibili":
                return f"{origin}/player.html?bvid={self.id}&autoplay=0"
            case _:
                return f"{origin}/embed/{self.id}"


class NotAVideo(ValueError):
    """The link is not one video at an allow-listed provider; the message says why."""


def _path_parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _youtube(host: str, parts: list[str], query: dict) -> tuple[str, str] | None:
    if host == "youtu.be":
        return (parts[0], "") if len(parts) == 1 else None
    if parts == ["watch"]:
        ids = query.get("v", [])
        return (ids[0], "") if len(ids) == 1 else None
    if len(parts) == 2 and parts[0] in ("embed", "shorts", "live", "v"):
        return parts[1], ""
    return None


def _vimeo(host: str, parts: list[str], query: dict) -> tuple[str, str] | None:
    if host == "player.vimeo.com":
        if len(parts) == 2 and parts[0] == "video":
            hashes = query.get("h", [""])
            return (parts[1], hashes[0]) if len(hashes) == 1 else None
        return None
    if len(parts) == 1:
        return parts[0], ""
    if len(parts) == 2 and VIMEO_ID.fullmatch(parts[0]):
        return parts[0], parts[1]  # an unlisted video: vimeo.com/<id>/<key>
    if len(parts) == 3 and parts[0] == "channels":
        return parts[2], ""
    if len(parts) == 2 and parts[0] == "video":
        return parts[1], ""
    return None


def _bilibili(host: str, parts: list[str], query: dict) -> tuple[str, str] | None:
    if host == "player.bilibili.com":
        ids = query.get("bvid", [])
        return (ids[0], "") if parts == ["player.html"] and len(ids) == 1 else None
    if len(parts) == 2 and parts[0] == "video":
        return parts[1], ""
    return None


def _youku(host: str, parts: list[str], query: dict) -> tuple[str, str] | None:
    if host == "player.youku.com":
        return (parts[1], "") if len(parts) == 2 and parts[0] == "embed" else None
    if len(parts) == 2 and parts[0] == "v_show":
        name = parts[1]
        if name.startswith("id_") and name.endswith(".html"):
            return name.removeprefix("id_").removesuffix(".html"), ""
    return None


_READERS = {
    "youtube": (_youtube, YOUTUBE_ID),
    "vimeo": (_vimeo, VIMEO_ID),
    "bilibili": (_bilibili, BILIBILI_ID),
    "youku": (_youku, YOUKU_ID),
}


def parse_video_url(url: str) -> Video:
    """The video a link points at. Raises NotAVideo with a message a person can act on."""
    url = (url or "").strip()
    not_allowed = NotAVideo(
        _("Link to a video on one of these sites: %(providers)s.") % {"providers": PROVIDER_NAMES}
    )
    if not url or len(url) > MAX_URL_LENGTH or any(ord(char) < 33 for char in url):
        raise not_allowed
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise not_allowed from error
    # Exact host names only: no user-info (https://youtube.com@evil.example/), no port, no
    # trailing dot, no look-alike (youtube.com.evil.example), no scheme but http(s).
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise not_allowed
    if "@" in parts.netloc or ":" in parts.netloc or "\\" in url:
        raise not_allowed
    host = parts.netloc.lower()
    provider = next((p for p in PROVIDERS if host in p.hosts), None)
    if provider is None:
        raise not_allowed
    read, id_pattern = _READERS[provider.key]
    found = read(host, _path_parts(parts.path), parse_qs(parts.query))
    if (
        found is None
        or not id_pattern.fullmatch(found[0])
        or (found[1] and not VIMEO_HASH.fullmatch(found[1]))
    ):
        raise NotAVideo(
            _(
                "This %(provider)s link does not point at one video. Open the video on "
                "%(provider)s and copy the address of its page."
            )
            % {"provider": provider.name}
        )
    video_id, vimeo_hash = found
    return Video(provider=provider, id=video_id, vimeo_hash=vimeo_hash)


def video_or_none(url: str) -> Video | None:
    try:
        return parse_video_url(url)
    except NotAVideo:
        return None


def validate_video_url(value: str) -> None:
    """A validator for form and model fields."""
    try:
        parse_video_url(value)
    except NotAVideo as error:
        raise ValidationError(str(error), code="video_url") from error
