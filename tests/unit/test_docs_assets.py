"""The vendored documentation assets are the pinned files of their npm packages, licences
included (``python -m tools.docs_assets --check``, offline)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tools import docs_assets


def test_the_vendored_files_are_the_pinned_ones_with_their_licences() -> None:
    assert docs_assets.check() == []
    for package in docs_assets.load():
        assert "LICENSE" in package["files"], package["name"]
        assert package["integrity"].startswith("sha512-"), package["name"]
        assert len(package["version"].split(".")) == 3, "an exact version"  # no range


def test_a_changed_missing_or_unpinned_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = json.loads(docs_assets.MANIFEST.read_text(encoding="utf-8"))
    react = next(p for p in manifest["packages"] if p["name"] == "react")
    (tmp_path / "manifest.json").write_text(json.dumps({"packages": [react]}), encoding="utf-8")
    shutil.copytree(docs_assets.STATIC / "react@18.2.0", tmp_path / "react@18.2.0")
    monkeypatch.setattr(docs_assets, "STATIC", tmp_path)
    monkeypatch.setattr(docs_assets, "MANIFEST", tmp_path / "manifest.json")
    assert docs_assets.main(["--check"]) == 0

    script = tmp_path / "react@18.2.0" / "react.production.min.js"
    script.write_bytes(script.read_bytes() + b"\n// changed")
    (tmp_path / "react@18.2.0" / "LICENSE").unlink()
    (tmp_path / "react@17.0.0").mkdir()
    assert sorted(docs_assets.check()) == [
        "react@17.0.0: a folder the manifest does not name",
        "react@18.2.0/LICENSE: missing",
        "react@18.2.0/react.production.min.js: SHA-256 is not the pinned one",
    ]
    assert docs_assets.main(["--check"]) == 1
