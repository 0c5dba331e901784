"""The build's RDF files from rdflib graphs, written so that the same graph always gives the
same bytes (the N-Quads dump, the TriG of the asserted graphs, the SHACL report)."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef


def sorted_nquads(ds: Dataset) -> bytes:
    """N-Quads, one statement per line, lines sorted (stable across runs and rdflib versions)."""
    lines = set()
    for g in ds.graphs():
        if len(g) == 0:
            continue
        one = Dataset()
        target = one.graph(g.identifier)
        for t in g:
            target.add(t)
        text = one.serialize(format="nquads")
        lines.update(line for line in text.splitlines() if line.strip())
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode("utf-8")


def trig(ds: Dataset, graphs: list[str]) -> bytes:
    """TriG of the named ``graphs``, each block written by the Turtle serializer, in IRI order.

    (rdflib's own TriG writer skipped graphs now and then; per-graph Turtle is stable.)
    """
    prefixes: dict[str, str] = {}
    blocks = []
    for iri in sorted(graphs):
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
        blocks.append(f"<{iri}> {{\n" + "\n".join(body) + "\n}\n")
    head = "".join(f"@prefix {p} {ns} .\n" for p, ns in sorted(prefixes.items()))
    return (head + "\n" + "\n".join(blocks)).encode("utf-8")
