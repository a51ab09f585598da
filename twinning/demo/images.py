"""Demo images and report PDFs, drawn locally with Pillow: no network, no stock photos.

Every function is deterministic: the same slug always gives the same pixels (the random
generator is seeded from a SHA-256 of the slug), so a re-run of `seed_demo` finds the files it
wrote before and leaves them alone. Images are PNG, the safest format for upload validation.
"""

import hashlib
import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

PORTRAIT_SIZE = (480, 480)
LOGO_SIZE = (400, 400)
COVER_SIZE = (1200, 675)

# A restrained palette: deep, calm colours that carry white text (all pass WCAG AA with
# the cream below at large sizes), and the light tones they pair with.
DEEP = [
    (31, 95, 91),  # teal
    (47, 75, 124),  # slate blue
    (91, 58, 94),  # plum
    (46, 90, 58),  # forest
    (140, 78, 28),  # ochre, darkened
    (150, 64, 52),  # terracotta
    (35, 57, 93),  # ink
    (74, 99, 84),  # sage, darkened
    (112, 52, 72),  # berry
    (58, 82, 110),  # steel
]
LIGHT = [
    (233, 240, 236),  # mist green
    (236, 238, 245),  # pale blue
    (245, 239, 230),  # sand
    (242, 233, 236),  # rose
    (232, 238, 242),  # fog
    (240, 242, 232),  # pale olive
]
# Brighter companions for the logos' second shape, each far enough in hue from the deep tones.
ACCENT = [
    (201, 139, 54),  # gold
    (196, 98, 73),  # coral
    (86, 150, 140),  # sea green
    (110, 140, 200),  # cornflower
    (172, 108, 152),  # orchid
    (128, 160, 90),  # moss
]
CREAM = (250, 247, 240)

# Clean sans-serif faces that Debian, Ubuntu and most Linux images ship; the first one found
# wins. Without any of them Pillow's own embedded font is used, so no system font is needed.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
]


def rng_for(slug: str) -> random.Random:
    """A random generator that gives the same sequence for the same slug, on every machine."""
    seed = int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big")
    return random.Random(seed)


@cache
def _font_path() -> str | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    path = _font_path()
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    # Pillow >= 10.1 embeds a scalable font; without FreeType this is a small bitmap font,
    # which _draw_centred_text scales up.
    return ImageFont.load_default(size=size)


def _draw_centred_text(image: Image.Image, text: str, size: int, fill) -> None:
    font = _font(size)
    if isinstance(font, ImageFont.FreeTypeFont):
        ImageDraw.Draw(image).text(
            (image.width / 2, image.height / 2), text, font=font, fill=fill, anchor="mm"
        )
        return
    # Bitmap fallback (a Pillow built without FreeType): draw small on a mask, scale the
    # mask up so that capitals are about 70% of `size` tall, paint through it.
    mask = Image.new("L", (16 * len(text) + 16, 32), 0)
    ImageDraw.Draw(mask).text((4, 4), text, font=font, fill=255)
    mask = mask.crop(mask.getbbox() or (0, 0, 1, 1))
    scale = 0.7 * size / max(mask.height, 1)
    mask = mask.resize(
        (max(1, round(mask.width * scale)), max(1, round(mask.height * scale))), Image.BILINEAR
    )
    origin = ((image.width - mask.width) // 2, (image.height - mask.height) // 2)
    image.paste(Image.new("RGB", mask.size, fill), origin, mask)


def _png(image: Image.Image, compress_level: int = 6) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=compress_level)
    return buffer.getvalue()


def _mix(a, b, t: float):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _soft_gradient(size, corners) -> Image.Image:
    """A smooth four-corner gradient: a 2×2 image scaled up bilinearly."""
    seed = Image.new("RGB", (2, 2))
    seed.putdata(corners)
    return seed.resize(size, Image.BILINEAR)


def initials_of(name: str) -> str:
    """Same rule as Fellow.initials: first letters of the first two words."""
    return "".join(part[0] for part in name.split()[:2]).upper()


def portrait_png(slug: str, name: str) -> bytes:
    """Large centred initials on a calm colour, with a faint ring for depth."""
    rng = rng_for(slug)
    width, height = PORTRAIT_SIZE
    deep = rng.choice(DEEP)
    image = _soft_gradient(
        PORTRAIT_SIZE, [_mix(deep, CREAM, 0.12), deep, deep, _mix(deep, (0, 0, 0), 0.18)]
    )
    layer = Image.new("L", PORTRAIT_SIZE, 0)
    draw = ImageDraw.Draw(layer)
    radius = rng.randint(175, 205)
    draw.ellipse(
        (width / 2 - radius, height / 2 - radius, width / 2 + radius, height / 2 + radius),
        outline=40,
        width=3,
    )
    layer = layer.filter(ImageFilter.GaussianBlur(0.8))
    image.paste(Image.new("RGB", PORTRAIT_SIZE, CREAM), (0, 0), layer)
    text = initials_of(name) or "?"
    _draw_centred_text(image, text, 170 if len(text) > 1 else 200, CREAM)
    return _png(image)


def logo_png(slug: str) -> bytes:
    """An abstract two-colour mark: a few geometric motifs, chosen and placed by the slug."""
    rng = rng_for(slug)
    width, height = LOGO_SIZE
    deep, second = rng.choice(DEEP), rng.choice(ACCENT)
    background = rng.choice(LIGHT)
    scale = 2  # draw at twice the size, then shrink: smooth edges
    big = (width * scale, height * scale)
    image = Image.new("RGB", big, background)
    draw = ImageDraw.Draw(image)
    cx, cy, unit = big[0] / 2, big[1] / 2, big[0] / 2
    motif = rng.randrange(5)
    if motif == 0:  # two overlapping circles: the twinning
        r = unit * 0.5
        offset = unit * 0.3
        draw.ellipse((cx - offset - r, cy - r, cx - offset + r, cy + r), fill=deep)
        draw.ellipse(
            (cx + offset - r, cy - r, cx + offset + r, cy + r), outline=second, width=int(r / 4)
        )
    elif motif == 1:  # a disc cut by a band, a smaller disc at its heart
        r = unit * 0.72
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=deep)
        band = unit * 0.14
        y = cy + rng.choice([-0.3, 0.3]) * unit
        draw.rectangle((cx - r, y - band / 2, cx + r, y + band / 2), fill=background)
        draw.ellipse((cx - r * 0.3, cy - r * 0.3, cx + r * 0.3, cy + r * 0.3), fill=second)
    elif motif == 2:  # a square set on its point, inside a ring
        r = unit * 0.72
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=second, width=int(unit * 0.1))
        s = unit * 0.5
        draw.polygon([(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy)], fill=deep)
    elif motif == 3:  # stacked arcs, like hills or waves
        for i in range(4):
            r = unit * (0.8 - i * 0.18)
            colour = deep if i % 2 == 0 else (second if i == 1 else background)
            draw.pieslice(
                (cx - r, cy - r + unit * 0.35, cx + r, cy + r + unit * 0.35),
                180,
                360,
                fill=colour,
            )
    else:  # two leaves crossing: lens shapes, each the overlap of two discs
        for colour, turn in ((deep, 0), (second, 90)):
            r, d = unit * 0.9, unit * 0.55
            a = Image.new("L", big, 0)
            b = Image.new("L", big, 0)
            ImageDraw.Draw(a).ellipse((cx - d - r, cy - r, cx - d + r, cy + r), fill=255)
            ImageDraw.Draw(b).ellipse((cx + d - r, cy - r, cx + d + r, cy + r), fill=255)
            leaf = ImageChops.multiply(a, b).rotate(turn + 45, resample=Image.NEAREST)
            image.paste(Image.new("RGB", big, colour), (0, 0), leaf)
    angle = rng.choice([0, 0, 0, 15, -15, 30]) if motif != 4 else 0
    if angle:
        image = image.rotate(angle, resample=Image.NEAREST, fillcolor=background)
    return _png(image.reduce(scale))  # box-filtered 2× supersampling: smooth edges, fast


def cover_png(slug: str) -> bytes:
    """A soft gradient with a few translucent circles and a band: calm, varied per slug."""
    rng = rng_for(slug)
    width, height = COVER_SIZE
    deep, second = rng.sample(DEEP, 2)
    light = rng.choice(LIGHT)
    style = rng.randrange(3)
    if style == 0:  # dark, light in one corner
        corners = [_mix(deep, light, 0.35), deep, _mix(deep, second, 0.5), second]
    elif style == 1:  # light, colour rising from below
        corners = [light, _mix(light, deep, 0.2), _mix(deep, light, 0.4), deep]
    else:  # two deep colours
        corners = [deep, _mix(deep, second, 0.4), _mix(second, light, 0.2), second]
    rng.shuffle(corners)
    # Drawn at half size and scaled up once: soft edges without a blur, and fast.
    w, h = width // 2, height // 2
    image = _soft_gradient((w, h), corners)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(rng.randint(2, 4)):
        r = rng.randint(h // 4, int(h * 0.8))
        x = rng.randint(-r // 2, w + r // 2)
        y = rng.randint(-r // 2, h + r // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*CREAM, rng.randint(18, 46)))
    # One clear outline ring: the "twin" echo of the filled circles.
    r = rng.randint(h // 5, h // 3)
    x, y = rng.randint(w // 5, w * 4 // 5), rng.randint(h // 4, h * 3 // 4)
    draw.ellipse((x - r, y - r, x + r, y + r), outline=(*CREAM, 120), width=2)
    # A diagonal band of light.
    top = rng.randint(-h // 2, h // 2)
    band = rng.randint(30, 70)
    draw.polygon(
        [(0, top), (w, top - h // 3), (w, top - h // 3 + band), (0, top + band)],
        fill=(*CREAM, 16),
    )
    # Level 3: nearly the size of level 6 for smooth gradients, in half the time.
    return _png(image.resize(COVER_SIZE, Image.BICUBIC), compress_level=3)


# --------------------------------------------------------------------------------------
# Reports: a small, valid PDF written by hand (PDF 1.4, Helvetica, one page, text only).
# --------------------------------------------------------------------------------------


def _pdf_text(text: str) -> bytes:
    """A PDF string literal's content: WinAnsi (cp1252) bytes, with ( ) and \\ escaped."""
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def report_pdf(title: str, subtitle: str, paragraphs: list[str]) -> bytes:
    """An A4 PDF (1.4, Helvetica) with a title, a subtitle and wrapped paragraphs.

    Deterministic: no dates, no random IDs.
    """
    body = []
    for paragraph in paragraphs:
        for line in paragraph.split("\n"):  # "\n" forces a line break (list items)
            body.extend(_wrap(line, 92))
        body.append("")
    body.append("Demo content generated for the Twinning site.")
    title_lines = _wrap(title, 46)
    # Under the title the first page has room for 48 lines (less for a long title), the
    # others for 52.
    first = 48 - 2 * (len(title_lines) - 1)
    pages = [body[:first]] + [body[i : i + 52] for i in range(first, len(body), 52)]

    streams = []
    for number, page_lines in enumerate(pages):
        ops = [b"BT", b"/F1 10.5 Tf", b"14 TL"]
        if number == 0:
            ops += [b"/F2 20 Tf", b"24 TL", b"56 794 Td"]
            ops += [b"(" + _pdf_text(line) + b") '" for line in title_lines]
            ops += [b"14 TL"]
            ops += [b"/F1 12 Tf", b"0 -26 Td", b"(" + _pdf_text(subtitle) + b") Tj"]
            ops += [b"/F1 10.5 Tf", b"0 -14 Td"]
        else:
            ops += [b"56 800 Td"]
        ops += [b"(" + _pdf_text(line) + b") '" for line in page_lines]
        ops += [b"ET", b"BT", b"/F1 8 Tf", b"56 30 Td"]
        ops += [b"(" + _pdf_text(f"{title} - page {number + 1} of {len(pages)}") + b") Tj", b"ET"]
        streams.append(b"\n".join(ops))

    first_page = 5  # objects 1-4: catalog, page tree, two fonts; then page + content pairs
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for i, stream in enumerate(streams):
        content = first_page + 2 * i + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % content
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Title (" + _pdf_text(title) + b") /Producer (Twinning demo) >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
