"""Leaflet for the map page: linked from a CDN, or inlined from the vendored copy.

The vendored files live in ``planner/render/assets/leaflet/`` (npm ``leaflet`` package, see the
README there). Inlined, the page needs no network at all: the stylesheet's images become
``data:`` URIs and the script is embedded as is.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path

LEAFLET_VERSION = "1.9.4"
ASSETS = Path(__file__).resolve().parent / "assets"
LEAFLET_DIR = ASSETS / "leaflet"

#: Where the online map loads Leaflet from.
LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"


@cache
def leaflet_js() -> str:
    """The vendored ``leaflet.js``, safe to place inside a ``<script>`` element."""
    text = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.M)
    return text.replace("</script", "<\\/script")


@cache
def leaflet_css() -> str:
    """The vendored ``leaflet.css`` with every ``url(images/…)`` turned into a data URI.

    The legacy ``url(#default#VML)`` behaviour of old Internet Explorer is dropped, so the
    stylesheet holds no reference to anything outside the page.
    """
    text = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        return f"url({_data_uri(match.group(1))})"

    text = re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, text)
    text = re.sub(r"behavior:\s*url\(#default#VML\);?", "", text)
    return text.replace("</style", "<\\/style")


def _data_uri(name: str) -> str:
    data = (LEAFLET_DIR / "images" / name).read_bytes()
    return f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}"


@cache
def leaflet_icon_js() -> str:
    """JavaScript that points Leaflet's default marker images at inlined data URIs.

    Leaflet otherwise looks for ``marker-icon.png`` beside the page whenever a marker is made,
    even one that later gets another icon.
    """
    urls = {
        "iconUrl": _data_uri("marker-icon.png"),
        "iconRetinaUrl": _data_uri("marker-icon-2x.png"),
        "shadowUrl": _data_uri("marker-shadow.png"),
    }
    options = ", ".join(f"{k}: {json.dumps(v)}" for k, v in urls.items())
    return f'L.Icon.Default.imagePath = "";\nL.Icon.Default.mergeOptions({{{options}}});'


def script_safe(js: str) -> str:
    """JavaScript text made safe for embedding in an inline ``<script>`` element."""
    return js.replace("</", "<\\/")
