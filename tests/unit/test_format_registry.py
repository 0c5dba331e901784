"""The format registry (``narcokg.formats.registry``) is the one table of formats: each format's
name, media type and extension lead back to it, the rooms' tables are derived from it, no other
module spells an RDF or results media type, and serialising the self-descriptions keeps rdflib
out of the web and engine rooms."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from narcokg.formats import conneg, registry
from narcokg.formats import sparql as sparqlformats
from narcokg.shacl import service as validation_service
from conftest import ROOT

PACKAGE = ROOT / "server" / "narcokg"

#: Modules another room still owns with their own spelling of the media types, and why.
NOT_YET_DERIVED: dict[str, str] = {}


@pytest.mark.parametrize("fmt", registry.FORMATS, ids=lambda f: f.name)
def test_every_format_round_trips_name_media_type_and_extension(fmt):
    assert registry.BY_NAME[fmt.name] is fmt
    assert registry.BY_EXTENSION[fmt.extension] is fmt
    assert registry.by_suffix("." + fmt.extension.upper()) is fmt
    assert registry.by_media_type(fmt.media_type + "; charset=utf-8", fmt.kind) is fmt
    for alias in fmt.aliases:
        assert registry.by_media_type(alias, fmt.kind) is fmt
    assert (fmt.rdf_format is None) == (fmt.kind == registry.SOLUTIONS)
    assert (fmt.results_format is None) == (fmt.kind == registry.GRAPH)
    if fmt.rdf_format is not None:
        assert fmt.rdf_format.media_type == fmt.media_type  # pyoxigraph agrees
    if fmt.results_format is not None:
        assert fmt.results_format.media_type.split(";")[0] == fmt.media_type


def test_names_media_types_and_extensions_are_unique():
    for key in ("name", "media_type", "extension"):
        values = [getattr(f, key) for f in registry.FORMATS]
        assert len(values) == len(set(values)), key


def test_the_rooms_tables_come_from_the_registry():
    assert sparqlformats.FORMATS is registry.FORMATS
    for ext, doc in conneg.FORMATS.items():
        fmt = registry.BY_EXTENSION[ext]
        assert (doc.media_type, doc.name, doc.ox_format, doc.quads) == (
            fmt.media_type,
            fmt.label,
            fmt.rdf_format,
            fmt.quads,
        )
    for media, key in conneg._OFFERS:
        assert media in registry.HTML_TYPES or registry.by_media_type(media) is registry.BY_EXTENSION[key]
    for media, parser in validation_service.FORMATS_BY_MEDIA_TYPE.items():
        assert registry.by_media_type(media).rdflib == parser


def _string_constants(tree: ast.AST) -> set[str]:
    """String literals of a module, docstrings left out (prose may name a media type)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def test_no_module_but_the_registry_spells_a_format_media_type():
    media_types = {f.media_type for f in registry.FORMATS}
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name == "formats/registry.py" or name in NOT_YET_DERIVED:
            continue
        found = _string_constants(ast.parse(path.read_text(encoding="utf-8"))) & media_types
        if found:
            offenders[name] = sorted(found)
    assert not offenders, f"media types spelt outside formats/registry.py: {offenders}"


def test_the_check_would_see_a_spelt_media_type():
    tree = ast.parse('"""text/turtle in prose"""\nX = {"ttl": "text/turtle"}\n')
    assert "text/turtle" in _string_constants(tree)
    assert "text/turtle in prose" not in _string_constants(tree)


def test_web_and_engine_rooms_serialise_without_rdflib():
    """The Service Description, VoID, the query and data routes and the SHACL pages load no rdflib
    (pySHACL works on rdflib graphs in the validation process, never in the web process)."""
    modules = sorted(
        "narcokg." + p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        for room in ("web", "engine", "formats")
        for p in (PACKAGE / room).glob("*.py")
        if p.name != "__init__.py"
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('rdflib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False", modules


def test_self_descriptions_are_compact_json_ld_with_the_same_triples():
    """The VoID and Service Description in JSON-LD carry an @context of their prefixes, like the
    entity documents (rdflib's serializer gave expanded JSON-LD), and mean what the Turtle says."""
    import json

    import pyoxigraph as ox

    from narcokg.config import Settings
    from narcokg.engine import service, void

    stats = dict.fromkeys(void.KEYS, 7)
    for triples in (
        void.describe("http://kg.example/", ["narcokg.nq"], stats, {"http://kg.example/graph/a": stats}),
        service.describe(Settings(), "http://kg.example/sparql", [("http://kg.example/graph/a", 7)], 7),
    ):
        doc = json.loads(void.serialize(triples, registry.JSONLD))
        assert doc["@context"]["void"] == str(void.VOID) and "@graph" in doc
        from_jsonld = ox.Dataset(ox.parse(void.serialize(triples, registry.JSONLD), format=ox.RdfFormat.JSON_LD))
        from_turtle = ox.Dataset(ox.parse(void.serialize(triples), format=ox.RdfFormat.TURTLE))
        from_jsonld.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        from_turtle.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        assert set(from_jsonld) == set(from_turtle) and len(from_turtle) == len(triples)
