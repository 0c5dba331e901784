"""The build's N-Quads dump is rdflib's N-Quads serialization of each graph, lines sorted: written
row by row with rdflib's own row function (build/dumps.py) rather than through its serializer."""

from __future__ import annotations

from rdflib import XSD, Dataset, Literal, Namespace, URIRef

from narcokg.build import dumps
from narcokg.build import load as loader
from narcokg.build import pipeline
from narcokg.config import load_settings

EX = Namespace("https://example.org/")


def serializer_nquads(ds: Dataset) -> bytes:
    """Each graph copied into a Dataset of its own and serialized by rdflib, lines sorted."""
    lines = set()
    for g in ds.graphs():
        if len(g) == 0:
            continue
        one = Dataset()
        target = one.graph(g.identifier)
        for t in g:
            target.add(t)
        lines.update(line for line in one.serialize(format="nquads").splitlines() if line.strip())
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def test_the_real_dataset_s_dump_is_the_serializer_s():
    settings = load_settings()
    ds = loader.load(settings)
    pipeline.add_inferred(ds, settings)
    written = dumps.sorted_nquads(ds)
    assert written.count(b"\n") > 10000
    assert written == serializer_nquads(ds)


def test_awkward_literals_are_written_as_the_serializer_writes_them():
    ds = Dataset()
    g = ds.graph(URIRef("https://example.org/graph/a"))
    texts = [
        'say "hi"',
        "back\\slash",
        "two\nlines",
        "cr\rhere",
        "tab\there",
        "sep\u2028arator",
        "lone \ud800 half",
        "",
    ]
    for i, text in enumerate(texts):
        g.add((EX[f"s{i}"], EX.plain, Literal(text)))
        g.add((EX[f"s{i}"], EX.tagged, Literal(text, lang="en")))
        g.add((EX[f"s{i}"], EX.typed, Literal(text, datatype=XSD.token)))
    g.add((EX.n, EX.number, Literal(3)))
    ds.graph(URIRef("https://example.org/graph/b")).add((EX.n, EX.p, EX.o))
    assert dumps.sorted_nquads(ds) == serializer_nquads(ds)


def test_a_build_s_trig_is_the_one_written_in_process(tmp_path):
    """The TriG is written by a forked child beside reasoning and validation (build/aside.py):
    the file is what the parent writes from its own dataset once the build is done."""
    settings = load_settings(dist=tmp_path / "dist")
    result = pipeline.run(settings, progress=lambda _m: None)
    written = (tmp_path / "dist" / "narcokg.trig").read_bytes()
    assert written.count(b" {\n") >= 5
    assert written == dumps.trig(result.dataset, pipeline.asserted_graphs(result.dataset, settings))
