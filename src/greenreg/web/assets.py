"""The page's own stylesheet and script, served by the app itself (no CDN, no web font).

Each asset's URL carries a hash of its content, so browsers may cache it for a year and still
get the new file the moment it changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    name: str
    content: bytes
    media_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:12]


@cache
def assets() -> dict[str, Asset]:
    """Every file in ``greenreg/web/static``, by name."""
    folder = resources.files("greenreg.web") / "static"
    found = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in MEDIA_TYPES:
            found[entry.name] = Asset(entry.name, entry.read_bytes(), MEDIA_TYPES[suffix])
    return found


def asset_url(name: str) -> str:
    """``/static/web.css?v=<hash>``: the URL pages link to."""
    return f"/static/{name}?v={assets()[name].version}"
