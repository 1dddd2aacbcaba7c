"""The log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), at the registry's root:

    GET /checkpoint                       the latest signed checkpoint, a C2SP signed note
                                          with the witnesses' cosignature lines; where the
                                          registry has a witness policy, the latest that
                                          meets it (until one does, the latest)
    GET /tile/<L>/<N>[.p/<W>]             tile N of tile level L: 256 hashes (W if partial)
    GET /tile/entries/<N>[.p/<W>]         the entries of level-0 tile N, each a 2-byte length
                                          and the leaf data (see docs/tiles.md)
    GET /log-keys.json                    the root-signed declarations of the log keys

Tiles and bundles are answered within the latest checkpoint's size: a tile that tree lacks, a
path that is not the canonical spelling of a tile, or a width the tree does not have is 404.
Their content never changes (a partial tile of width W is the first W hashes of its full tile,
for good), so they are cached for a year, ``immutable``; the checkpoint for a few seconds.
``greenreg export`` writes the same files, so a static file server is a mirror.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from greenreg.api.reading import Reads
from greenreg.errors import NotFoundError
from greenreg.registry.tiles import parse_tile_path
from greenreg.storage.queries import TransparencyLog
from greenreg.storage.tiles import LogTiles

IMMUTABLE = "public, max-age=31536000, immutable"
CHECKPOINT_CACHE = "public, max-age=5"
TEXT = "text/plain; charset=utf-8"
OCTETS = "application/octet-stream"


def tiles_router(reads: Reads) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def the_log() -> TransparencyLog:
        if reads.log is None:
            raise NotFoundError("this event store keeps no transparency log")
        return reads.log

    def read_checkpoint() -> Response:
        log = the_log()
        witnessed = log.witnessed()
        note = log.cosigned_note(log.checkpoint()) if witnessed is None else witnessed.cosigned_note
        return Response(note, media_type=TEXT, headers={"Cache-Control": CHECKPOINT_CACHE})

    @router.get("/checkpoint")
    async def get_checkpoint() -> Response:
        return await run_in_threadpool(read_checkpoint)

    def read_tile(path: str) -> Response:
        tile = parse_tile_path(path)
        if tile is None:
            raise NotFoundError(f"tile/{path} is not a tile path (see https://c2sp.org/tlog-tiles)")
        log = the_log()
        latest = log.latest()
        data = None if latest is None else LogTiles(log.recorder).read(tile, latest.tree_size)
        if data is None:
            raise NotFoundError(f"the log's latest checkpoint has no {tile.path}")
        return Response(data, media_type=OCTETS, headers={"Cache-Control": IMMUTABLE})

    @router.get("/tile/{path:path}")
    async def get_tile(path: str) -> Response:
        return await run_in_threadpool(read_tile, path)

    def read_log_keys() -> JSONResponse:
        return JSONResponse(
            the_log().log_key_declarations(), headers={"Cache-Control": CHECKPOINT_CACHE}
        )

    @router.get("/log-keys.json")
    async def get_log_keys() -> JSONResponse:
        return await run_in_threadpool(read_log_keys)

    return router
