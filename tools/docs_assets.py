"""Fetch the API documentation's browser assets (Swagger UI, ReDoc, GraphiQL) into the package.

``/docs``, ``/redoc`` and GraphiQL at ``/graphql`` load their scripts and stylesheets from the
registry itself, so they work offline (see :mod:`greenreg.api.docs`). The files come from
their npm packages, at the exact versions pinned in ``src/greenreg/api/static/manifest.json``
with each tarball's npm integrity (SHA-512) and each file's SHA-256, and are written, with
their licences, to ``src/greenreg/api/static/<package>@<version>/``.

    python -m tools.docs_assets            fetch (npm pack) and check every file, write them
    python -m tools.docs_assets --check    check the files in the package against the manifest
                                           (no network)
    python -m tools.docs_assets --update   fetch, and record the integrity and hashes of what
                                           was fetched (after a version was changed in the
                                           manifest; review the diff)

``npm`` must be on the PATH for a fetch; nothing else is needed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "greenreg" / "api" / "static"
MANIFEST = STATIC / "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def integrity(data: bytes) -> str:
    """npm's ``dist.integrity`` of a tarball: ``sha512-<base64>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def folder_of(package: dict[str, Any]) -> Path:
    return STATIC / f"{package['name'].replace('/', '__')}@{package['version']}"


def load() -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["packages"]
    return packages


def check() -> list[str]:
    """What differs between the package's files and the manifest (nothing: an empty list)."""
    packages = load()
    expected = {folder_of(p).name for p in packages}
    problems = [
        f"{folder.name}: a folder the manifest does not name"
        for folder in STATIC.iterdir()
        if folder.is_dir() and folder.name not in expected
    ]
    for package in packages:
        folder = folder_of(package)
        for inner, digest in package["files"].items():
            path = folder / Path(inner).name
            if not path.is_file():
                problems.append(f"{path.relative_to(STATIC)}: missing")
            elif sha256(path.read_bytes()) != digest:
                problems.append(f"{path.relative_to(STATIC)}: SHA-256 is not the pinned one")
    return problems


def fetch(package: dict[str, Any], into: Path) -> bytes:
    """The package's tarball, by ``npm pack`` (the registry's own client)."""
    spec = f"{package['name']}@{package['version']}"
    done = subprocess.run(  # noqa: S603 (a fixed command, the spec from the reviewed manifest)
        ["npm", "pack", spec, "--json", "--pack-destination", str(into)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    [packed] = json.loads(done.stdout)
    return (into / str(packed["filename"])).read_bytes()


def vendor(update: bool) -> None:
    packages = load()
    with tempfile.TemporaryDirectory() as temporary:
        for package in packages:
            tarball = fetch(package, Path(temporary))
            found = integrity(tarball)
            if update:
                package["integrity"] = found
            elif found != package["integrity"]:
                raise SystemExit(
                    f"{package['name']}: the tarball's integrity is not the pinned one"
                )
            folder = folder_of(package)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
                for inner in package["files"]:
                    member = archive.extractfile(f"package/{inner}")
                    if member is None:
                        raise SystemExit(f"{package['name']}: no file {inner} in the tarball")
                    data = member.read()
                    if update:
                        package["files"][inner] = sha256(data)
                    elif sha256(data) != package["files"][inner]:
                        raise SystemExit(
                            f"{package['name']}/{inner}: SHA-256 is not the pinned one"
                        )
                    (folder / Path(inner).name).write_bytes(data)
            print(f"{package['name']}@{package['version']}: {len(package['files'])} files")
    if update:
        MANIFEST.write_text(
            json.dumps({"packages": packages}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="check the files, offline")
    action.add_argument("--update", action="store_true", help="record new pins")
    arguments = parser.parse_args(argv)
    if not arguments.check:
        vendor(arguments.update)
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
