"""Which version of the knowledge graph a snapshot is, when it was made, and under which licence.

A citation of the graph, of one of its entities or of an RDF document needs these three facts,
and they must be the same in the VoID description, in every document and on every page. The
build computes them once (``of_build``) and writes them into the manifest; a server reads them
back (``of_manifest``). A snapshot is the same bytes for the same inputs, so nothing here reads
the clock: the version carries the digest of the inputs, and the date is the reproducible-builds
``SOURCE_DATE_EPOCH`` when set, else the day the newest input file was last changed.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
TITLE = "narcokg: Indonesia's international cooperation against narcotics"
TITLE_ID = "narcokg: kerja sama internasional Indonesia melawan narkotika"
PUBLISHER = "narcokg project"


@dataclass(frozen=True)
class Release:
    #: The package version with the snapshot's digest as build metadata ("0.1.0+0123456789ab").
    version: str
    #: ISO date (YYYY-MM-DD) of the snapshot.
    date: str

    @property
    def year(self) -> str:
        return self.date[:4]

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("narcokg")
    except Exception:  # noqa: BLE001 - not installed (a checkout on PYTHONPATH)
        return "0.0.0"


def _day(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).date().isoformat()


def source_date(paths: list[Path]) -> str:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) if set, else the newest input's day."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isascii() and epoch.isdigit():
        return _day(float(epoch))
    times = [p.stat().st_mtime for p in paths if p.exists()]
    return _day(max(times) if times else 0)


def of_build(inputs_digest: str, paths: list[Path]) -> Release:
    return Release(version=f"{package_version()}+{inputs_digest[:12]}", date=source_date(paths))


def of_manifest(manifest: dict | None, data_file: Path | None) -> Release:
    """The release a build recorded; for a bare dump (no build), the package version and the
    day the dump file was written."""
    recorded = (manifest or {}).get("release")
    if isinstance(recorded, dict) and {"version", "date"} <= set(recorded):
        return Release(version=str(recorded["version"]), date=str(recorded["date"]))
    return Release(version=package_version(), date=source_date([data_file] if data_file else []))
