"""A query process imports what answering a query takes and nothing of the server around it:
every module it loads is memory each of the processes holds, and start-up time each replacement
(after a time limit, a crash, a burst) pays (``benchmarks/queryprocess.py`` measures both)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: The server's machinery (configuration, logging, the data's preparation and build, the
#: snapshot's writer) and the heavy standard modules it brings.
NOT_IN_A_QUERY_PROCESS = [
    "narcokg.config",
    "narcokg.engine.data",
    "narcokg.snapshot",
    "logging",
    "subprocess",
    "tempfile",
    "shutil",
    "hashlib",
    "dataclasses",
    "inspect",
    "pathlib",
]


@pytest.fixture(scope="module")
def loaded() -> set[str]:
    code = "import json, sys; import narcokg.engine.worker; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", NOT_IN_A_QUERY_PROCESS)
def test_a_query_process_does_not_import(loaded, module):
    assert module not in loaded


def test_it_imports_what_answering_takes(loaded):
    assert {"pyoxigraph", "narcokg.sandbox", "narcokg.engine.opening", "narcokg.formats.sparql"} <= loaded
