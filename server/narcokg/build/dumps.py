"""The build's RDF files from rdflib graphs, written so that the same graph always gives the
same bytes (the N-Quads dump, the TriG of the asserted graphs, the SHACL report)."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.serializers.nquads import _nq_row


def sorted_nquads(ds: Dataset) -> bytes:
    """N-Quads, one statement per line, lines sorted (stable across runs and rdflib versions).

    Each graph's lines are rdflib's N-Quads rows (``_nq_row``, the function its serializer writes
    them with), made without copying the graph into a Dataset of its own to serialize it.
    """
    lines = set()
    for g in ds.graphs():
        if len(g) == 0:
            continue
        text = "".join(_nq_row(t, g.identifier) for t in g)
        # As the serializer writes them: UTF-8, an unencodable character replaced.
        text = text.encode("utf-8", "replace").decode("utf-8")
        lines.update(line for line in text.splitlines() if line.strip())
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode("utf-8")


def trig(ds: Dataset, graphs: list[str]) -> bytes:
    """TriG of the named ``graphs``, each block written by the Turtle serializer, in IRI order.

    (rdflib's own TriG writer skipped graphs now and then; per-graph Turtle is stable.)
    """
    return trig_join(trig_blocks(ds, graphs))


#: Per graph IRI: the prefixes its Turtle declares and its TriG block.
Blocks = dict[str, tuple[dict[str, str], str]]


def trig_blocks(ds: Dataset, graphs: list[str]) -> Blocks:
    """The TriG blocks of ``graphs``, so that some can be written apart from others (build/aside.py)."""
    out: Blocks = {}
    for iri in graphs:
        prefixes: dict[str, str] = {}
        g = Graph(bind_namespaces="none")
        for prefix, ns in ds.namespaces():
            g.bind(prefix, ns, override=True, replace=True)
        for t in ds.graph(URIRef(iri)):
            g.add(t)
        body = []
        for line in g.serialize(format="turtle").splitlines():
            if line.startswith("@prefix "):
                _, prefix, ns, _dot = line.split(" ", 3)
                prefixes[prefix] = ns
            elif line.strip() or body:
                body.append(("    " + line) if line.strip() else "")
        while body and not body[-1]:
            body.pop()
        out[iri] = (prefixes, f"<{iri}> {{\n" + "\n".join(body) + "\n}\n")
    return out


def trig_join(blocks: Blocks) -> bytes:
    """One TriG document of ``blocks``: every prefix they declare, then the blocks in IRI order."""
    prefixes: dict[str, str] = {}
    for iri in sorted(blocks):
        prefixes.update(blocks[iri][0])
    head = "".join(f"@prefix {p} {ns} .\n" for p, ns in sorted(prefixes.items()))
    return (head + "\n" + "\n".join(blocks[iri][1] for iri in sorted(blocks))).encode("utf-8")
