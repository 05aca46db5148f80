"""Fake second-generation ID card images, drawn with Pillow.

The images are drawn with Pillow's built-in font, which has no Chinese glyphs, and no CJK font
can be assumed on the machine (and a system font would break byte-determinism), so Chinese
characters are drawn as small box "glyphs" whose strokes come from the character's code point.
Nothing reads the pixels back: the fields travel in a PNG tEXt chunk named ``loancli-idcard``
holding ASCII JSON, and :func:`read_fields` is the fake OCR.

Pillow is imported inside the functions that draw or open images, so ``loancli --help`` stays
fast.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from loancli.clock import Rng
from loancli.identity.card import METADATA_KEY, IdCardFields, back_metadata, front_metadata

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
    """Write ``{stem}-front.png`` and ``{stem}-back.png``; same inputs, same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    front_path = out / f"{stem}-front.png"
    back_path = out / f"{stem}-back.png"
    front = _draw_front(fields, face_seed)
    back = _draw_back(fields)
    _save(front, front_path, front_metadata(fields, face_seed), blurry, low_resolution)
    _save(back, back_path, back_metadata(fields), blurry, low_resolution)
    return front_path, back_path


_INK = (28, 28, 30)

_LABEL = (38, 86, 150)

_PAPER = (242, 244, 236)

_PATTERN = (206, 220, 212)

_BORDER = (120, 140, 150)

_EMBLEM = (196, 40, 36)

_GOLD = (232, 190, 40)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _blank_card() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    import math

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
    return image, draw


def _draw_mixed(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, int, int] = _INK,
) -> float:
    """Draw ASCII runs with the built-in font and other characters as box glyphs, left-middle
    anchored at ``xy``; return the x after the text."""
    font = _font(size)
    x, y = xy
    run = ""
    for char in text + "\0":
        if char != "\0" and ord(char) < 128:
            run += char
            continue
        if run:
            draw.text((x, y), run, font=font, fill=fill, anchor="lm")
            x += font.getlength(run)
            run = ""
        if char != "\0":
            _draw_glyph(draw, (x, y), char, size, fill)
            x += size * 1.1
    return x


def _draw_glyph(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    char: str,
    size: int,
    fill: tuple[int, int, int],
) -> None:
    """A stand-in for a Chinese character: strokes picked by the character's hash."""
    bits = int.from_bytes(hashlib.sha256(char.encode()).digest()[:4], "big")
    x0, y0 = xy[0] + size * 0.05, xy[1] - size * 0.45
    cell = size * 0.9
    stroke = max(1, size // 12)
    for i in range(3):  # horizontal strokes
        if bits >> i & 1 or i == 1:
            y = y0 + cell * (0.2 + 0.3 * i)
            left = x0 + cell * (0.1 if bits >> (i + 8) & 1 else 0.3)
            draw.line((left, y, x0 + cell * 0.9, y), fill=fill, width=stroke)
    for i in range(3):  # vertical strokes
        if bits >> (i + 3) & 1:
            x = x0 + cell * (0.2 + 0.3 * i)
            top = y0 + cell * (0.05 if bits >> (i + 11) & 1 else 0.35)
            draw.line((x, top, x, y0 + cell * 0.95), fill=fill, width=stroke)
    if bits >> 6 & 1:  # falling stroke
        draw.line((x0 + cell * 0.5, y0 + cell * 0.3, x0, y0 + cell), fill=fill, width=stroke)
    if bits >> 7 & 1:  # rising stroke
        draw.line((x0 + cell * 0.5, y0 + cell * 0.5, x0 + cell, y0 + cell), fill=fill, width=stroke)
    if not bits >> 14 & 3:  # an enclosing box, as in 国 or 田
        draw.rectangle(
            (x0 + cell * 0.05, y0 + cell * 0.05, x0 + cell * 0.95, y0 + cell * 0.95),
            outline=fill,
            width=stroke,
        )


def _draw_front(fields: IdCardFields, face_seed: int) -> Image.Image:
    image, draw = _blank_card()
    label_x, value_x = 48, 172
    _draw_mixed(draw, (label_x, 86), "NAME", 20, _LABEL)
    _draw_mixed(draw, (value_x, 86), fields.name, 34)
    _draw_mixed(draw, (label_x, 150), "SEX", 20, _LABEL)
    _draw_mixed(draw, (value_x, 150), f"{fields.sex_printed} {fields.sex[0].upper()}", 28)
    _draw_mixed(draw, (300, 150), "ETHNICITY", 20, _LABEL)
    _draw_mixed(draw, (430, 150), fields.ethnicity, 28)
    born = fields.birth_date
    _draw_mixed(draw, (label_x, 212), "BORN", 20, _LABEL)
    _draw_mixed(draw, (value_x, 212), f"{born.year} 年 {born.month} 月 {born.day} 日", 28)
    _draw_mixed(draw, (label_x, 274), "ADDRESS", 20, _LABEL)
    per_line = 11
    for line_no in range(3):
        chunk = fields.address[line_no * per_line : (line_no + 1) * per_line]
        if chunk:
            _draw_mixed(draw, (value_x, 274 + 40 * line_no), chunk, 28)
    _draw_mixed(draw, (label_x, 462), "CITIZEN ID NUMBER", 18, _LABEL)
    _draw_mixed(draw, (250, 462), " ".join(fields.number), 30)
    _draw_face(draw, (600, 62, 806, 326), face_seed)
    return image


def _draw_face(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], face_seed: int) -> None:
    """A simple portrait whose proportions and colours come from ``face_seed``."""
    rng = Rng(face_seed, "idcard-face")
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
    hair_depth = rng.randint(30, 60)
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
    _draw_mixed(draw, (290, 92), "中华人民共和国", 34)
    _draw_mixed(draw, (290, 140), "PEOPLE'S REPUBLIC OF CHINA", 26)
    _draw_mixed(draw, (290, 200), "居民身份证", 46)
    _draw_mixed(draw, (290, 252), "RESIDENT IDENTITY CARD", 30)
    _draw_mixed(draw, (110, 400), "ISSUING AUTHORITY", 20, _LABEL)
    _draw_mixed(draw, (330, 400), fields.authority, 28)
    _draw_mixed(draw, (110, 460), "VALID PERIOD", 20, _LABEL)
    _draw_mixed(draw, (330, 460), fields.validity, 28)
    return image


def _draw_emblem(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    """A national-emblem-like seal: gear ring, red disc, five stars, a gate."""
    import math

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
    import math

    cx, cy = centre
    points = []
    for i in range(10):
        r = size if i % 2 == 0 else size * 0.4
        angle = -math.pi / 2 + math.pi * i / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=_GOLD)


def _save(
    image: Image.Image,
    path: Path,
    metadata: dict[str, str],
    blurry: bool,
    low_resolution: bool,
) -> None:
    from PIL import Image, ImageFilter, PngImagePlugin

    if blurry:
        image = image.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
    if low_resolution:
        image = image.resize(LOW_RESOLUTION_SIZE, Image.Resampling.LANCZOS)
    info = PngImagePlugin.PngInfo()
    # ensure_ascii keeps the chunk latin-1, so Pillow writes tEXt (not iTXt).
    info.add_text(METADATA_KEY, json.dumps(metadata, ensure_ascii=True, sort_keys=True))
    image.save(path, format="PNG", pnginfo=info)
