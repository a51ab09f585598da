"""Responsive renditions of covers, portraits and logos: WebP plus a JPEG/PNG fallback.

An uploaded image is shown at a few widths (`SPECS`), each in WebP and in the fallback format
(JPEG, or PNG when the image has transparency). They are drawn once with Pillow and kept in
the default storage beside each other:

    renditions/<spec>-v<version>/<source name without extension>-<hash>/<width>.webp|.jpg|.png
    renditions/<spec>-v<version>/<source name without extension>-<hash>/manifest.json

The content hash makes the names change whenever the pixels do, so the files can be cached
forever by browsers and CDNs. `manifest.json` is written last and marks a complete set.

Rendering a page never touches the database, and normally not the storage either: the
manifest of each (storage, source name, spec) is remembered in Django's cache, so a list of
24 cards costs 24 cache reads. Only a cache miss reads the source (to hash it) and, the first
time ever, draws the renditions. When the source is missing or unreadable the caller gets
None and shows the original file (or its own placeholder); the miss is remembered for a few
minutes, not forever, so a file that appears later is picked up.

Upload names are never reused for other content (Django's storage never overwrites; a new
upload under a taken name gets a suffix), which is what makes a name a safe cache key.
"""

import hashlib
import io
import json
import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from common.uploads import IMAGE_FORMATS, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

logger = logging.getLogger(__name__)

VERSION = 1  # bump to draw every rendition again (new names, new cache keys)
FOLDER = "renditions"
CACHE_TIMEOUT = 60 * 60 * 24 * 30
MISSING_TIMEOUT = 60 * 5
_MISSING = "missing"


@dataclass(frozen=True)
class Spec:
    name: str
    widths: tuple[int, ...]
    square: bool = False  # portraits are shown in circles: crop them to a square once


SPECS = {
    "cover": Spec("cover", (400, 800, 1200)),
    "portrait": Spec("portrait", (160, 320), square=True),
    "logo": Spec("logo", (160, 320)),
}


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp_url: str
    fallback_url: str


@dataclass(frozen=True)
class RenditionSet:
    """The renditions of one image, narrowest first."""

    renditions: tuple[Rendition, ...]
    fallback_type: str  # image/jpeg or image/png

    @property
    def largest(self) -> Rendition:
        return self.renditions[-1]

    @property
    def default(self) -> Rendition:
        """What a browser without srcset support gets: a middle size."""
        fitting = [r for r in self.renditions if r.width <= 800]
        return fitting[-1] if fitting else self.renditions[0]

    @property
    def webp_srcset(self) -> str:
        return ", ".join(f"{r.webp_url} {r.width}w" for r in self.renditions)

    @property
    def fallback_srcset(self) -> str:
        return ", ".join(f"{r.fallback_url} {r.width}w" for r in self.renditions)


class SourceUnusable(Exception):
    """The source image is missing, too large or not an image we open."""


def renditions_for(field_file, spec_name: str) -> RenditionSet | None:
    """The renditions of an ImageField's file, drawn on first use; None if it has no usable
    file. No database query; normally one cache read."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    spec = SPECS[spec_name]
    storage = field_file.storage
    key = _cache_key(storage, field_file.name, spec)
    manifest = cache.get(key)
    if manifest is None:
        try:
            manifest = _manifest(storage, field_file.name, spec)
        except SourceUnusable as error:
            logger.warning("No renditions of %s: %s", field_file.name, error)
            cache.set(key, _MISSING, MISSING_TIMEOUT)
            return None
        cache.set(key, manifest, CACHE_TIMEOUT)
    if manifest == _MISSING:
        return None
    return _rendition_set(storage, manifest)


def renditions_forget(field_file, spec_name: str) -> None:
    """Drop what the cache remembers of a file's renditions (after replacing a file by hand
    under the same name; uploads never are). The files stay: their names carry the hash."""
    cache.delete(_cache_key(field_file.storage, field_file.name, SPECS[spec_name]))


def renditions_delete(storage, name: str) -> None:
    """Delete a source file and every rendition drawn from it, in every spec: for a file that
    must not stay reachable (a photo its owner removed or replaced)."""
    stem = PurePosixPath(name).with_suffix("")
    for spec in SPECS.values():
        cache.delete(_cache_key(storage, name, spec))
        parent = f"{FOLDER}/{spec.name}-v{VERSION}/{stem.parent}"
        try:
            folders, _ = storage.listdir(parent)
        except (FileNotFoundError, NotImplementedError):
            continue
        for folder in folders:
            if folder.rsplit("-", 1)[0] == stem.name:
                _delete_tree(storage, f"{parent}/{folder}")
    storage.delete(name)


def _delete_tree(storage, folder: str) -> None:
    folders, files = storage.listdir(folder)
    for file in files:
        storage.delete(f"{folder}/{file}")
    for child in folders:
        _delete_tree(storage, f"{folder}/{child}")


def _cache_key(storage, name: str, spec: Spec) -> str:
    # The storage's location is part of the key: two media roots (tests, a second site on the
    # same Redis) never share entries.
    where = f"{getattr(storage, 'location', '')}|{name}|{spec.name}"
    return f"renditions:{VERSION}:{hashlib.sha256(where.encode()).hexdigest()[:40]}"


def _rendition_set(storage, manifest: dict) -> RenditionSet:
    folder, fallback = manifest["folder"], manifest["fallback"]
    return RenditionSet(
        renditions=tuple(
            Rendition(
                width=width,
                height=height,
                webp_url=storage.url(f"{folder}/{width}.webp"),
                fallback_url=storage.url(f"{folder}/{width}.{fallback}"),
            )
            for width, height in manifest["sizes"]
        ),
        fallback_type="image/png" if fallback == "png" else "image/jpeg",
    )


def _read_source(storage, name: str) -> bytes:
    try:
        with storage.open(name, "rb") as source:
            data = source.read(MAX_IMAGE_BYTES + 1)
    except (OSError, ValueError) as error:  # missing, unreadable, or a name the storage refuses
        raise SourceUnusable(f"cannot read it ({type(error).__name__})") from error
    if len(data) > MAX_IMAGE_BYTES:
        raise SourceUnusable("larger than an upload may be")
    return data


def _manifest(storage, name: str, spec: Spec) -> dict:
    data = _read_source(storage, name)
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = str(PurePosixPath(name).with_suffix(""))
    folder = f"{FOLDER}/{spec.name}-v{VERSION}/{stem}-{digest}"
    manifest_name = f"{folder}/manifest.json"
    try:
        if storage.exists(manifest_name):
            with storage.open(manifest_name, "rb") as stored:
                manifest = json.load(stored)
            if manifest.get("version") == VERSION:
                return manifest
    except (OSError, ValueError) as error:
        logger.warning("Drawing the renditions of %s again: %s", name, error)
    manifest = _draw(storage, data, folder, spec)
    _save(storage, manifest_name, json.dumps(manifest).encode())
    return manifest


def _open(data: bytes, spec: Spec) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Our own pixel bound is checked below, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise SourceUnusable("too many pixels")
            if image.format == "JPEG":
                # Let the decoder scale a large photo down by 1/2, 1/4 or 1/8 as it reads it.
                ratio = max(spec.widths) / (min(width, height) if spec.square else width)
                if ratio < 1:
                    image.draft("RGB", (math.ceil(width * ratio), math.ceil(height * ratio)))
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise SourceUnusable(f"not an image we open ({type(error).__name__})") from error
    return ImageOps.exif_transpose(image)


def _has_transparency(image: Image.Image) -> bool:
    if image.mode == "P":
        return "transparency" in image.info
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getchannel("A").getextrema()[0] < 255
    return False


def _draw(storage, data: bytes, folder: str, spec: Spec) -> dict:
    image = _open(data, spec)
    transparent = _has_transparency(image)
    image = image.convert("RGBA" if transparent else "RGB")
    if spec.square:
        side = min(image.size)
        image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    widths = [width for width in spec.widths if width <= image.width]
    if image.width < max(spec.widths) and image.width not in widths:
        widths.append(image.width)  # never enlarge: the source's own width is the largest
    fallback = "png" if transparent else "jpg"
    sizes = []
    resized = image
    for width in sorted(widths, reverse=True):  # each size drawn from the next larger one
        height = max(1, round(image.height * width / image.width))
        if resized.width != width:
            resized = resized.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        webp = io.BytesIO()
        resized.save(webp, "WEBP", quality=80, method=4)
        _save(storage, f"{folder}/{width}.webp", webp.getvalue())
        other = io.BytesIO()
        if transparent:
            resized.save(other, "PNG", optimize=True)
        else:
            resized.save(other, "JPEG", quality=82, optimize=True, progressive=True)
        _save(storage, f"{folder}/{width}.{fallback}", other.getvalue())
        sizes.insert(0, [width, height])
    return {"version": VERSION, "folder": folder, "fallback": fallback, "sizes": sizes}


def _save(storage, name: str, content: bytes) -> None:
    """Write `name` unless it is there; a concurrent writer drew the same bytes, keep theirs."""
    if storage.exists(name):
        return
    saved = storage.save(name, ContentFile(content))
    if saved != name:
        storage.delete(saved)
