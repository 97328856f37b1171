"""A QR code as inline SVG, drawn on the server: no script, no image from elsewhere."""

import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def qr_svg(data: str, *, label: str) -> SafeString:
    """The code of `data`, dark on white whatever the page's theme; it scales to its container."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    svg = image.to_string(encoding="unicode").split("?>", 1)[-1].strip()
    opening, rest = svg.split(">", 1)
    opening = _SIZE.sub("", opening) + f' role="img" aria-label="{escape(label)}"'
    # The library's own markup from our data (paths and numbers); the label is escaped.
    return mark_safe(f"{opening}>{rest}")
