"""Draw the rider page's app icons (``rehabus/service/web/icon-*.png``): a white bus on the
pages' blue. ``icon-192.png`` and ``icon-512.png`` fill a rounded
square; ``icon-maskable-512.png`` keeps the bus inside the central 60 % (a launcher may cut the
rest to any shape). Run once with Pillow installed: ``python docs/tools/make_rider_icons.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WEB = Path(__file__).resolve().parents[2] / "rehabus" / "service" / "web"
BLUE = (11, 79, 156, 255)
WHITE = (255, 255, 255, 255)
INK = (17, 17, 17, 255)
GOLD = (255, 191, 71, 255)


def bus(draw: ImageDraw.ImageDraw, left: float, top: float, width: float) -> None:
    """A bus seen from the side, ``width`` wide, its top-left corner at (left, top)."""
    u = width / 100

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (left + x0 * u, top + y0 * u, left + x1 * u, top + y1 * u)

    draw.rounded_rectangle(box(0, 0, 100, 50), radius=9 * u, fill=WHITE)
    for x in (8, 31, 54):  # windows
        draw.rounded_rectangle(box(x, 8, x + 18, 24), radius=3 * u, fill=BLUE)
    draw.rounded_rectangle(box(78, 8, 92, 40), radius=3 * u, fill=BLUE)  # door
    draw.rectangle(box(0, 30, 74, 34), fill=GOLD)  # the stripe
    for x in (22, 72):  # wheels
        draw.ellipse(box(x - 11, 39, x + 11, 61), fill=INK)
        draw.ellipse(box(x - 5, 45, x + 5, 55), fill=WHITE)


def icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, size, size), fill=BLUE)
        width = size * 0.6
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.18, fill=BLUE)
        width = size * 0.74
    bus(draw, (size - width) / 2, (size - width * 0.62) / 2, width)
    return image


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        icon(size, maskable=maskable).save(WEB / name, optimize=True)


if __name__ == "__main__":
    main()
