"""One Turtle style for every file in ontology/, triples/ and shapes/.

The style is whatever rdflib's ``longturtle`` serializer writes (sorted subjects and
predicates, one statement per line, explicit prefixes), so formatting is a function of the
graph alone: re-running it never changes a file, and a diff shows changed facts, not layout.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from narcokg.config import Settings


def turtle_files(settings: Settings) -> list[Path]:
    dirs = [settings.ontology_dir, settings.shapes_dir, settings.triples_dir]
    return sorted(p for d in dirs for p in d.rglob("*.ttl"))


def formatted(path: Path) -> str:
    source = Graph(bind_namespaces="none")
    source.parse(path, format="turtle")
    out = Graph(bind_namespaces="none")
    for prefix, ns in source.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for t in source:
        out.add(t)
    return out.serialize(format="longturtle")


def unformatted(settings: Settings) -> list[Path]:
    """Files whose text differs from their formatted form."""
    return [p for p in turtle_files(settings) if p.read_text(encoding="utf-8") != formatted(p)]


def format_all(settings: Settings) -> list[Path]:
    changed = []
    for p in turtle_files(settings):
        text = formatted(p)
        if p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
            changed.append(p)
    return changed
