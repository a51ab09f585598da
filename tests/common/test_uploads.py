"""Uploaded images and PDFs are judged by content, bounded, and images are re-encoded."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.uploads import MAX_IMAGE_BYTES, clean_image, clean_pdf


def image_bytes(image_format="JPEG", size=(64, 48), exif=None):
    output = io.BytesIO()
    image = Image.new("RGB", size, (15, 110, 100))
    options = {"exif": exif} if exif is not None else {}
    image.save(output, image_format, **options)
    return output.getvalue()


def png_header_only(width, height):
    """A PNG that claims width×height pixels: all a decompression bomb needs to be opened."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_jpeg_is_accepted_and_its_gps_metadata_dropped():
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPSInfo: a latitude
    exif[0x010F] = "PhoneMaker"  # camera make
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in original

    cleaned = clean_image(upload("portrait.JPG", original, "image/jpeg"))

    assert cleaned.name == "portrait.jpg"
    data = cleaned.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_keep_their_format(image_format, extension):
    cleaned = clean_image(upload("logo.bin", image_bytes(image_format)))

    assert cleaned.name == f"logo.{extension}"
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == image_format


def test_the_name_does_not_decide_the_format():
    cleaned = clean_image(upload("cover.png", image_bytes("JPEG"), "image/png"))

    assert cleaned.name == "cover.jpg"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"GIF89a" + b"\0" * 32,
    ],
    ids=["pdf-named-png", "svg", "gif"],
)
def test_files_that_are_not_an_allowed_image_are_refused(data):
    with pytest.raises(ValidationError) as error:
        clean_image(upload("photo.png", data, "image/png"))

    assert error.value.code == "not_an_image"
    assert "JPEG, PNG or WebP" in error.value.messages[0]


def test_a_decompression_bomb_is_a_clear_error_not_a_warning():
    with pytest.raises(ValidationError) as error:
        clean_image(upload("huge.png", png_header_only(20000, 20000)))

    assert error.value.code == "too_many_pixels"
    assert "megapixels" in error.value.messages[0]


def test_an_image_just_over_the_pixel_bound_is_refused_with_its_size():
    with pytest.raises(ValidationError) as error:
        clean_image(upload("wide.png", png_header_only(10000, 4001)))

    assert error.value.code == "too_many_pixels"
    assert "10000×4001" in error.value.messages[0]


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(400, 300))

    with pytest.raises(ValidationError) as error:
        clean_image(upload("cut.jpg", data[: len(data) // 2], "image/jpeg"))

    assert error.value.code == "damaged"


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    big = upload("big.jpg", b"\xff\xd8" + b"\0" * (MAX_IMAGE_BYTES + 1), "image/jpeg")

    with pytest.raises(ValidationError) as error:
        clean_image(big)

    assert error.value.code == "too_large"
    assert "the limit is 10.0\xa0MB" in error.value.messages[0]


def test_a_real_pdf_is_accepted():
    report = upload("report.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")

    assert clean_pdf(report) is report


@pytest.mark.parametrize(
    "data",
    [image_bytes("PNG"), b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"],
    ids=["png-named-pdf", "truncated-pdf"],
)
def test_anything_else_named_pdf_is_refused(data):
    with pytest.raises(ValidationError) as error:
        clean_pdf(upload("report.pdf", data, "application/pdf"))

    assert error.value.code == "not_a_pdf"
