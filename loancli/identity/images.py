"""Fake second-generation ID card images, drawn with Pillow and a real CJK font.

The text is drawn in Noto Sans SC (SIL Open Font License), which the project installs as the
``pylopdf-fonts-zh-cn`` wheel: no system font is looked up, so every machine draws the same
glyphs and the same inputs give byte-identical PNGs. The font's name and file are recorded in
the image's metadata. The layout follows the 2nd-generation 居民身份证: 姓名 性别 民族 出生
住址 公民身份号码 and the portrait on the front; the emblem, 中华人民共和国 居民身份证,
签发机关 and 有效期限 on the back.

An OCR engine can read the drawn text; the fake OCR reads the fields from a PNG tEXt chunk
named ``loancli-idcard`` (ASCII JSON), see :func:`loancli.identity.photo.read_fields`.

Pillow is imported inside the functions that draw or open images, so ``loancli --help`` stays
fast.
"""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from loancli.clock import Rng
from loancli.errors import UsageError
from loancli.files import make_folder, write_private
from loancli.i18n import _
from loancli.identity.card import METADATA_KEY, IdCardFields, back_metadata, front_metadata
from loancli.identity.photo import ImageCheck, measure

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = (856, 540)  # ISO/IEC 7810 ID-1 (85.6 mm x 54 mm) at 10 px/mm

LOW_RESOLUTION_SIZE = (428, 270)

# Strong enough that the blur score falls far below ImageLimits.blur_threshold.
BLUR_RADIUS = 4.0


def generate(
    fields: IdCardFields,
    out_dir: str | Path,
    *,
    stem: str = "id",
    blurry: bool = False,
    low_resolution: bool = False,
    face_seed: int = 0,
) -> tuple[Path, Path]:
    """Write ``{stem}-front.png`` and ``{stem}-back.png`` into ``out_dir``; same inputs,
    same bytes. ``stem`` is a file name's start, never a path (``a/b``, ``..``): a refusal is
    a ``UsageError`` on stem."""
    problem = stem_problem(stem)
    if problem is not None:
        raise UsageError(problem, key="stem")
    out = Path(out_dir)
    make_folder(out)
    front_path = out / f"{stem}-front.png"
    back_path = out / f"{stem}-back.png"
    radius = BLUR_RADIUS if blurry else 0.0
    size = LOW_RESOLUTION_SIZE if low_resolution else CARD_SIZE
    front = side_png(
        fields,
        "front",
        front_metadata(fields, face_seed),
        face_seed=face_seed,
        blur_radius=radius,
        size=size,
    )
    # A card holds a name and an ID number: each file is its owner's alone (mode 0600).
    write_private(front_path, front)
    write_private(
        back_path, side_png(fields, "back", back_metadata(fields), blur_radius=radius, size=size)
    )
    return front_path, back_path


def stem_problem(stem: str) -> str | None:
    """Why ``stem`` cannot start the images' file names, or None."""
    if not stem.strip() or stem.strip(".") == "":
        return _("give a file name's start, e.g. id")
    if any(c in stem for c in "/\\") or any(not c.isprintable() for c in stem):
        return _("a file name's start, not a path: no / or \\ and no control characters")
    if len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        return _("at most {most} bytes").format(most=MAX_STEM_BYTES)
    return None


# Room for "-front.png" in a file name of 255 bytes, with some to spare.
MAX_STEM_BYTES = 200


def side_png(
    fields: IdCardFields | None,
    side: str,
    metadata: Mapping[str, str] | None,
    *,
    face_seed: int = 0,
    blur_radius: float = 0.0,
    size: tuple[int, int] = CARD_SIZE,
    with_font: bool | None = None,
) -> bytes:
    """One side of a card as PNG bytes, same inputs, same bytes: ``fields`` printed on it
    (None: a card with nothing printed), blurred with ``blur_radius``, at ``size``, and
    ``metadata`` in the chunk the fake OCR reads (None: no chunk, so it reads nothing); the
    font named in it if ``with_font`` (by default, when something is printed). The last few
    drawn are kept: a bundle draws a photo again for each run that uploaded it, a story or
    test suite the same card many times (some 20 ms each)."""
    return _drawn(fields, side, metadata, face_seed, blur_radius, size, with_font, False)[0]


def drawn_side(
    fields: IdCardFields | None,
    side: str,
    metadata: Mapping[str, str] | None,
    *,
    face_seed: int = 0,
    blur_radius: float = 0.0,
    size: tuple[int, int] = CARD_SIZE,
) -> tuple[bytes, ImageCheck]:
    """:func:`side_png`'s bytes and the picture's measure (a bundle draws a blurry photo
    again as blurry as it was)."""
    png, measured = _drawn(fields, side, metadata, face_seed, blur_radius, size, None, True)
    assert measured is not None
    return png, measured


def _drawn(
    fields: IdCardFields | None,
    side: str,
    metadata: Mapping[str, str] | None,
    face_seed: int,
    blur_radius: float,
    size: tuple[int, int],
    with_font: bool | None,
    measured: bool,
) -> tuple[bytes, ImageCheck | None]:
    chunk = None if metadata is None else tuple(sorted(metadata.items()))
    font = fields is not None if with_font is None else with_font
    key = (fields, side, chunk, face_seed, blur_radius, size, font, measured)
    try:
        hash(key)
    except TypeError:  # a chunk read from a file may hold anything: drawn, not kept
        return _draw(*key)
    return _kept_draw(*key)


def _draw(
    fields: IdCardFields | None,
    side: str,
    chunk: tuple[tuple[str, str], ...] | None,
    face_seed: int,
    blur_radius: float,
    size: tuple[int, int],
    with_font: bool,
    measured: bool,
) -> tuple[bytes, ImageCheck | None]:
    image = side_image(fields, side, face_seed=face_seed, blur_radius=blur_radius, size=size)
    metadata = None if chunk is None else dict(chunk)
    png = png_bytes(image, metadata, with_font=with_font)
    return png, measure(image) if measured else None


_kept_draw = functools.lru_cache(maxsize=16)(_draw)


def side_image(
    fields: IdCardFields | None,
    side: str,
    *,
    face_seed: int = 0,
    blur_radius: float = 0.0,
    size: tuple[int, int] = CARD_SIZE,
) -> Image.Image:
    """The picture :func:`side_png` saves."""
    from PIL import Image, ImageFilter

    if fields is None:
        image = _blank_card()[0]
    elif side == "front":
        image = _draw_front(fields, face_seed)
    else:
        image = _draw_back(fields)
    if blur_radius:
        image = image.filter(ImageFilter.GaussianBlur(blur_radius))
    if size[0] <= image.width and size[1] <= image.height:
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS)
    else:
        # Larger than a card: the card repeated, as scaling it up would smooth every edge
        # into what the blur check calls a blurry photo.
        canvas = Image.new(image.mode, size)
        for left in range(0, size[0], image.width):
            for top in range(0, size[1], image.height):
                canvas.paste(image, (left, top))
        image = canvas
    return image


# zlib at level 3, not Pillow's 6: 40% less time for 16% more bytes (a card's 44 KB is 51 KB).
# Populate draws two cards a borrower, and a pseudonymised bundle two a run.
PNG_LEVEL = 3


def png_bytes(
    image: Image.Image, metadata: Mapping[str, str] | None, *, with_font: bool = True
) -> bytes:
    """``image`` as PNG, with ``metadata`` as the fields chunk and the font it was drawn in."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if metadata is not None:
        # ensure_ascii keeps the chunk latin-1, so Pillow writes tEXt (not iTXt).
        info.add_text(METADATA_KEY, json.dumps(metadata, ensure_ascii=True, sort_keys=True))
    if with_font:
        info.add_text(FONT_KEY, font_description())
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, compress_level=PNG_LEVEL)
    return out.getvalue()


_INK = (28, 28, 30)

_LABEL = (20, 56, 110)

_PAPER = (242, 244, 236)

_PATTERN = (206, 220, 212)

_BORDER = (120, 140, 150)

_EMBLEM = (196, 40, 36)

_GOLD = (232, 190, 40)


FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
FONT_KEY = "loancli-font"


def font_path() -> Path:
    """The CJK font the cards are drawn with (installed with loancli as a wheel)."""
    from importlib.resources import files

    return Path(str(files(FONT_PACKAGE) / FONT_FILE))


def font_description() -> str:
    """What the image metadata records: the family, the file and the package version."""
    from importlib.metadata import version

    package = version(FONT_PACKAGE.replace("_", "-"))
    return f"Noto Sans SC Regular ({FONT_FILE}, {FONT_PACKAGE} {package})"


_FONTS: dict[int, ImageFont.FreeTypeFont] = {}


def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    if size not in _FONTS:
        _FONTS[size] = ImageFont.truetype(str(font_path()), size)
    return _FONTS[size]


def glyphs_missing(text: str) -> list[str]:
    """Characters of ``text`` the font has no glyph for: FreeType would draw its .notdef box
    (the shape a private-use code point gets), which no OCR reads."""
    font = _font(40)

    def shape(char: str) -> bytes:
        mask = font.getmask(char)
        return bytes(mask) + bytes(str(mask.size), "ascii")

    notdef = shape("\U0010fffd")
    return sorted({c for c in text if not c.isspace() and shape(c) == notdef})


def drawn_text(fields: IdCardFields) -> str:
    """Every character a card's two sides draw (labels and fields)."""
    born = fields.birth_date
    labels = "姓名性别民族出生年月日住址公民身份号码中华人民共和国居民身份证签发机关有效期限"
    values = (
        f"{fields.name}{fields.sex_printed}{fields.ethnicity}{born.year}{born.month}{born.day}"
        f"{fields.address}{fields.number}{fields.authority}{fields.validity}"
    )
    return labels + values


def _blank_card() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A fresh copy of the card's paper, frame and security waves, to draw a card's text on."""
    from PIL import ImageDraw

    image = _paper().copy()
    return image, ImageDraw.Draw(image)


@functools.cache
def _paper() -> Image.Image:
    """The card before anything personal is printed on it: the same for every card, drawn
    once per process (its waves are some thousand line segments)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", CARD_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    width, height = CARD_SIZE
    draw.rounded_rectangle((6, 6, width - 7, height - 7), radius=30, fill=_PAPER)
    # Guilloche-like security waves: fine detail everywhere, as on a real card.
    for row in range(14, height - 14, 18):
        points = [(x, row + 6 * math.sin(x / 23 + row / 41)) for x in range(20, width - 20, 4)]
        draw.line(points, fill=_PATTERN, width=1)
    draw.rounded_rectangle((6, 6, width - 7, height - 7), radius=30, outline=_BORDER, width=3)
    draw.rounded_rectangle((16, 16, width - 17, height - 17), radius=24, outline=_PATTERN, width=1)
    return image


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, int, int] = _INK,
    spacing: float = 0,
) -> float:
    """Draw ``text`` left-middle anchored at ``xy`` (``spacing`` px between characters, as
    the card spaces its labels); return the x after it."""
    font = _font(size)
    x, y = xy
    if not spacing:
        draw.text((x, y), text, font=font, fill=fill, anchor="lm")
        return x + font.getlength(text)
    for char in text:
        draw.text((x, y), char, font=font, fill=fill, anchor="lm")
        x += font.getlength(char) + spacing
    return x - spacing


def _address_lines(address: str, per_line: int = 11) -> list[str]:
    return [address[i : i + per_line] for i in range(0, len(address), per_line)][:3]


def _draw_front(fields: IdCardFields, face_seed: int) -> Image.Image:
    image, draw = _blank_card()
    label_x, value_x = 48, 150
    _text(draw, (label_x, 80), "姓名", 26, _LABEL, spacing=3)
    _text(draw, (value_x, 80), fields.name, 34)
    _text(draw, (label_x, 142), "性别", 26, _LABEL, spacing=3)
    _text(draw, (value_x, 142), fields.sex_printed, 28)
    _text(draw, (250, 142), "民族", 26, _LABEL, spacing=3)
    _text(draw, (340, 142), fields.ethnicity, 28)
    born = fields.birth_date
    _text(draw, (label_x, 204), "出生", 26, _LABEL, spacing=3)
    x = _text(draw, (value_x, 204), str(born.year), 28)
    x = _text(draw, (x + 8, 204), "年", 22, _LABEL)
    x = _text(draw, (x + 8, 204), str(born.month), 28)
    x = _text(draw, (x + 8, 204), "月", 22, _LABEL)
    x = _text(draw, (x + 8, 204), str(born.day), 28)
    _text(draw, (x + 8, 204), "日", 22, _LABEL)
    _text(draw, (label_x, 266), "住址", 26, _LABEL, spacing=3)
    for line_no, chunk in enumerate(_address_lines(fields.address)):
        _text(draw, (value_x, 266 + 40 * line_no), chunk, 28)
    _text(draw, (label_x, 462), "公民身份号码", 26, _LABEL, spacing=1)
    _text(draw, (260, 462), fields.number, 34, spacing=2)
    _draw_face(draw, (600, 62, 806, 326), face_seed, fields.sex)
    return image


def _draw_face(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], face_seed: int, sex: str
) -> None:
    """A simple portrait whose proportions and colours come from ``face_seed``, and whose hair
    and face shape follow the holder's sex."""
    rng = Rng(face_seed, f"idcard-face-{sex}")
    female = sex == "female"
    left, top, right, bottom = box
    draw.rectangle(box, fill=(224, 234, 244), outline=_BORDER, width=2)
    centre_x = (left + right) / 2
    skin = (228 - rng.randint(0, 50), 190 - rng.randint(0, 50), 160 - rng.randint(0, 40))
    hair = rng.choice([(20, 20, 22), (50, 35, 25), (80, 60, 40), (120, 120, 120)])
    half_w = 52 + rng.randint(-10, 12)
    face_top, face_bottom = top + 52, top + 196 + rng.randint(-12, 12)
    # shoulders, neck, head, hair
    draw.pieslice((left + 12, bottom - 76, right - 12, bottom + 76), 180, 360, fill=(40, 50, 70))
    draw.rectangle((centre_x - 18, face_bottom - 20, centre_x + 18, bottom - 60), fill=skin)
    draw.ellipse(
        (centre_x - half_w, face_top, centre_x + half_w, face_bottom),
        fill=skin,
        outline=_INK,
        width=2,
    )
    if female:  # long hair falling behind the shoulders, drawn first
        draw.rounded_rectangle(
            (centre_x - half_w - 14, face_top - 10, centre_x + half_w + 14, bottom - 40),
            radius=40,
            fill=hair,
        )
        half_w -= 6
        draw.ellipse(
            (centre_x - half_w, face_top, centre_x + half_w, face_bottom),
            fill=skin,
            outline=_INK,
            width=2,
        )
    hair_depth = rng.randint(30, 60) if not female else rng.randint(45, 70)
    draw.chord(
        (centre_x - half_w - 4, face_top - 14, centre_x + half_w + 4, face_top + 2 * hair_depth),
        180,
        360,
        fill=hair,
    )
    # eyes, brows, nose, mouth
    eye_y = face_top + 62 + rng.randint(-6, 6)
    eye_dx = 20 + rng.randint(-3, 6)
    eye_r = 4 + rng.randint(0, 3)
    for side in (-1, 1):
        ex = centre_x + side * eye_dx
        draw.ellipse(
            (ex - eye_r * 2, eye_y - eye_r, ex + eye_r * 2, eye_y + eye_r),
            fill=(250, 250, 250),
            outline=_INK,
            width=1,
        )
        draw.ellipse(
            (ex - eye_r + 1, eye_y - eye_r + 1, ex + eye_r - 1, eye_y + eye_r - 1), fill=_INK
        )
        draw.line(
            (ex - 12, eye_y - 14 - rng.randint(0, 4), ex + 12, eye_y - 14), fill=hair, width=3
        )
    nose_y = eye_y + 28 + rng.randint(-4, 6)
    draw.line((centre_x, eye_y + 8, centre_x - 5, nose_y, centre_x + 4, nose_y), fill=_INK, width=2)
    mouth_w = 16 + rng.randint(-4, 8)
    mouth_y = nose_y + 22
    mouth_bottom = mouth_y + 6 + rng.randint(0, 6)
    draw.arc(
        (centre_x - mouth_w, mouth_y - 10, centre_x + mouth_w, mouth_bottom),
        20,
        160,
        fill=(150, 50, 50),
        width=3,
    )


def _draw_back(fields: IdCardFields) -> Image.Image:
    image, draw = _blank_card()
    _draw_emblem(draw, (150, 150), 92)
    _text(draw, (290, 110), "中华人民共和国", 40, spacing=6)
    _text(draw, (290, 200), "居民身份证", 58, spacing=14)
    _text(draw, (110, 400), "签发机关", 22, _LABEL, spacing=4)
    _text(draw, (250, 400), fields.authority, 28)
    _text(draw, (110, 460), "有效期限", 22, _LABEL, spacing=4)
    _text(draw, (250, 460), fields.validity, 28)
    return image


def _draw_emblem(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    """A national-emblem-like seal: gear ring, red disc, five stars, a gate."""
    cx, cy = centre
    teeth = 36
    ring = []
    for i in range(teeth * 2):
        r = radius if i % 2 == 0 else radius - 8
        angle = math.pi * i / teeth
        ring.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(ring, fill=_GOLD, outline=_INK)
    inner = radius - 16
    draw.ellipse(
        (cx - inner, cy - inner, cx + inner, cy + inner), fill=_EMBLEM, outline=_INK, width=2
    )
    big = (cx - inner * 0.3, cy - inner * 0.35)
    _star(draw, big, inner * 0.26)
    for angle in (-60, -20, 20, 60):  # four small stars in an arc to the right of the big one
        rad = math.radians(angle)
        small = (big[0] + inner * 0.5 * math.cos(rad), big[1] + inner * 0.5 * math.sin(rad))
        _star(draw, small, inner * 0.09)
    # the gate: roof, body, doors
    gate_top = cy + inner * 0.1
    draw.polygon(
        [(cx - inner * 0.6, gate_top + 14), (cx, gate_top), (cx + inner * 0.6, gate_top + 14)],
        fill=_GOLD,
        outline=_INK,
    )
    draw.rectangle(
        (cx - inner * 0.5, gate_top + 14, cx + inner * 0.5, gate_top + 44), fill=_GOLD, outline=_INK
    )
    for k in range(-2, 3):
        dx = cx + k * inner * 0.18
        draw.rectangle((dx - 4, gate_top + 26, dx + 4, gate_top + 44), fill=_EMBLEM)
    for r in (radius + 6, radius + 10):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=_EMBLEM, width=1)


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], size: float) -> None:
    cx, cy = centre
    points = []
    for i in range(10):
        r = size if i % 2 == 0 else size * 0.4
        angle = -math.pi / 2 + math.pi * i / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=_GOLD)
