"""The JSON-LD an entity page embeds, written from plain strings (``resource.embedded``), is the
compact JSON-LD of what the page describes: the resource's description without links in, less
the links back to it from the nodes it reaches (the page lists its incoming links itself)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.engine import resource as describe
from narcokg.formats.conneg import FORMATS
from narcokg.html.entity import EntityBuilder
from narcokg.html.labels import Labels
from narcokg.web.app import create_app


def _reference(store, iri: str, base: str, iris) -> str:
    node = ox.NamedNode(iri)
    own = describe.description(store, iri, base, links_in=False)
    kept = [q for q in own if q.object != node or q.subject == node]
    doc = describe.jsonld_document(kept, FORMATS["jsonld"], iris, focus=iri)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def test_every_resources_embedded_jsonld_is_its_compact_description(settings):
    app = create_app(settings)
    store = app.extensions["narcokg.engine"]
    base = settings.served_base
    with app.app_context():
        from narcokg.web.context import _iri_map

        iris = _iri_map(settings)
    subjects = sorted({q.subject.value for q in store.quads(None, None, None, None) if type(q.subject) is ox.NamedNode})
    resources = [s for s in subjects if s.startswith(base + "id/") or s.startswith(base + ".well-known/genid/")]
    assert len(resources) > 500
    labels: dict = {}
    texts: dict = {}
    for iri in resources:
        expected = _reference(store, iri, base, iris)
        builder = EntityBuilder(store, base, iris, Labels(store, "en", px.all_prefixes(base)), "en")
        # The second time from the memos of label statements and their text, and the statements
        # the page's builder read.
        for read, links_in in ((None, None), (builder.statements, builder.links_in(iri))):
            found = describe.embedded(store, iri, base, memo=labels, read=read, links_in=links_in)
            assert describe.embedded_jsonld(found, iris, focus=iri, memo=texts) == expected, iri
