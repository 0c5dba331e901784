"""Write the build's files so that the same sources always give the same bytes.

A build writes into a temporary folder beside the target and renames it into place only
when every file is written, so a failed build never replaces the last good snapshot.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path


NQ = "narcokg.nq"
TRIG = "narcokg.trig"
REPORT = "shacl-report.ttl"
VOID_FILE = "void.ttl"
MANIFEST = "manifest.json"
#: The files of a snapshot that the server offers for download (with their media types and
#: captions: ``web.pages.DUMP_INFO``).
DUMPS = [NQ, TRIG, REPORT, VOID_FILE]
#: Dumps also written gzipped (``narcokg.nq.gz``), served as ``Content-Encoding: gzip`` to clients
#: that accept it: compressing a megabyte per request would cost the web process ~50 ms each time.
PRECOMPRESSED = [NQ, TRIG]
GZ = ".gz"


def gzipped(data: bytes) -> bytes:
    """gzip at the highest level with no name and no time in the header: same bytes every build."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def inputs_digest(paths: list[Path]) -> str:
    """Digest of the build inputs (names and bytes) and of the code that builds them."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    # Every module the build runs: the core modules and the build and shacl rooms, found by
    # listing them (a list of names would go stale silently when a module moves).
    code = sorted([*package.glob("*.py"), *(package / "build").rglob("*.py"), *(package / "shacl").rglob("*.py")])
    for p in sorted(paths) + code:
        h.update(p.relative_to(package).as_posix().encode() if p.is_relative_to(package) else p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def write(out_dir: Path, files: dict[str, bytes], manifest: dict) -> None:
    """Write ``files`` and the manifest into ``out_dir`` atomically (temporary folder, then rename)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
            if name in PRECOMPRESSED:
                (tmp / (name + GZ)).write_bytes(gzipped(data))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        # Keep any extra files an earlier build or server left (e.g. an engine store) out: stale.
        old = None
        if out_dir.exists():
            old = out_dir.parent / (".old-" + out_dir.name + "-" + os.urandom(4).hex())
            out_dir.rename(old)
        try:
            tmp.rename(out_dir)
        except BaseException:
            if old is not None:  # put the last good snapshot back
                old.rename(out_dir)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_manifest(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def dump_path(settings, name: str) -> Path | None:
    """The file behind a download name, or None when this server does not offer it. A server of
    an explicit dump offers that dump only: a build's other files describe that build."""
    if name not in DUMPS:
        return None
    if settings.dump and name != NQ:
        return None
    path = Path(settings.nquads) if name == NQ else Path(settings.dist) / name
    return path if path.is_file() else None


def downloadable(settings) -> list[str]:
    """Names of the files offered for download (the VoID lists them as data dumps)."""
    return [name for name in DUMPS if dump_path(settings, name) is not None]
