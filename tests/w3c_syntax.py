"""The W3C SPARQL syntax tests (SPARQL 1.0 "dawg" and SPARQL 1.1 suites), taken at test time
from rdflib's source distribution on PyPI (it ships them under test/data/suites/w3c) and kept
in a git-ignored cache folder; no network other than the package registry."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache" / "w3c"
SDIST = "rdflib==7.1.4"
_PREFIX = "test/data/suites/w3c/"
_WANTED = (
    "sparql11/syntax-query/",
    "sparql11/syntax-fed/",
    "sparql11/syntax-update-1/",
    "sparql11/syntax-update-2/",
    "dawg-data-r2/syntax-sparql",
    "dawg-data-r2/LICENSE",
)


@dataclass(frozen=True)
class SyntaxTest:
    name: str
    path: Path
    positive: bool
    update: bool

    @property
    def text(self) -> str:
        return self.path.read_bytes().decode("utf-8")


def fetch() -> Path | str:
    """The folder holding the suites, or a reason why it could not be obtained."""
    done = CACHE / "complete"
    if done.exists():
        return CACHE
    tmp = CACHE.parent / "download"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            SDIST,
            "-d",
            str(tmp),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    archives = list(tmp.glob("*.tar.gz"))
    if proc.returncode or not archives:
        return f"could not download the {SDIST} source distribution from PyPI: {proc.stderr.strip()[-300:]}"
    shutil.rmtree(CACHE, ignore_errors=True)
    with tarfile.open(archives[0]) as tar:
        for member in tar.getmembers():
            name = member.name.split("/", 1)[-1]
            if member.isfile() and name.startswith(_PREFIX) and name[len(_PREFIX) :].startswith(_WANTED):
                target = CACHE / name[len(_PREFIX) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    shutil.rmtree(tmp, ignore_errors=True)
    done.write_text(SDIST)
    return CACHE


def tests(root: Path) -> list[SyntaxTest]:
    """Every syntax test of the manifests under ``root``."""
    from rdflib import Graph, Namespace, RDF

    mf = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    kinds = {
        mf.PositiveSyntaxTest: (True, False),
        mf.NegativeSyntaxTest: (False, False),
        mf.PositiveSyntaxTest11: (True, False),
        mf.NegativeSyntaxTest11: (False, False),
        mf.PositiveUpdateSyntaxTest11: (True, True),
        mf.NegativeUpdateSyntaxTest11: (False, True),
    }
    found = []
    for manifest in sorted(root.glob("*/*/manifest.ttl")) + sorted(root.glob("*/manifest.ttl")):
        g = Graph()
        g.parse(manifest, format="turtle", publicID=manifest.as_uri())
        for kind, (positive, update) in kinds.items():
            for test in g.subjects(RDF.type, kind):
                action = g.value(test, mf.action)
                if action is None:
                    continue
                path = Path(str(action).removeprefix("file://"))
                if path.exists():
                    found.append(SyntaxTest(f"{manifest.parent.name}/{path.name}", path, positive, update))
    return sorted(set(found), key=lambda t: t.name)
