"""Checking and cleaning uploaded files: images (portraits, covers, logos) and PDF reports.

An upload is judged by its content, never by its name or the browser's content type:
- only the image formats the site needs are opened (JPEG, PNG, WebP);
- the byte size and the pixel count are bounded *before* decoding, so a decompression bomb is
  a form error, not Pillow's warning or an exhausted worker;
- a truncated or damaged file is an error;
- every accepted image is re-encoded from its pixels, which drops EXIF and every other
  metadata block (no GPS position of a fellow's home leaks through a portrait).
"""

import io
import warnings
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: more than any camera the fellows carry
MAX_PDF_BYTES = 25 * 1024 * 1024


def _check_size(uploaded, limit):
    size = uploaded.size
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def _read(uploaded) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def clean_image(uploaded) -> ContentFile:
    """A re-encoded copy of an uploaded image, named after its real format.

    Raises ValidationError with a message a person can act on.
    """
    _check_size(uploaded, MAX_IMAGE_BYTES)
    data = _read(uploaded)
    try:
        # `formats` limits which decoders Pillow may even try; the pixel bound below is ours,
        # so Pillow's own bomb warning is silenced for this header-only probe.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as probe:
                image_format = probe.format
                width, height = probe.size
    except Image.DecompressionBombError as error:
        raise ValidationError(
            _("The image has too many pixels; the limit is %(limit)s megapixels."),
            code="too_many_pixels",
            params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
        ) from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValidationError(
            _("This is not a JPEG, PNG or WebP image. Upload a photo or picture in one of those."),
            code="not_an_image",
        ) from error
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("The image is %(width)s×%(height)s pixels; the limit is %(limit)s megapixels."),
            code="too_many_pixels",
            params={"width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000},
        )
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()  # decodes every pixel: a truncated file fails here
            cleaned = ImageOps.exif_transpose(image)
            return _encode(cleaned, image_format, uploaded.name)
    except (OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            _("The image file is damaged or incomplete. Export it again and upload the new file."),
            code="damaged",
        ) from error


def _encode(image: Image.Image, image_format: str, name: str) -> ContentFile:
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=88, optimize=True, progressive=True)
    elif image_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    else:
        image.save(output, "WEBP", quality=85, method=4)
    stem = PurePath(name or "image").stem[:80] or "image"
    return ContentFile(output.getvalue(), name=f"{stem}.{IMAGE_FORMATS[image_format]}")


def clean_pdf(uploaded):
    """Accept a PDF by its content: the header, an end-of-file marker, a bounded size."""
    _check_size(uploaded, MAX_PDF_BYTES)
    data = _read(uploaded)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("This is not a complete PDF file. Export the report as PDF and upload it again."),
            code="not_a_pdf",
        )
    return uploaded
