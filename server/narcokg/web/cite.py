"""How to cite: the whole graph, one of its entities, or a source document, as BibTeX or CSL-JSON.

  GET /cite                 how to cite the knowledge graph (HTML: text, BibTeX, CSL-JSON)
  GET /cite.bib, /cite.json the graph's citation (``application/x-bibtex``, CSL-JSON)
  GET /cite/{path}.bib      one resource's citation: a source document or cited work as itself,
  GET /cite/{path}.json     any other resource as an entry of this snapshot of the graph

The version, date and licence come from the snapshot's manifest (``narcokg.release``), the
same ones the VoID description and every RDF document carry.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from narcokg import release as rel
from narcokg import snapshot
from narcokg.engine import resource as describe
from narcokg.html import citeformats, queries
from narcokg.html.citation import Citation, CitationReader, graph_citation
from narcokg.html.labels import choose_lang
from narcokg.iris import valid_path
from narcokg.web.context import app_cache, cached_response, ctx, error, render_page

blueprint = Blueprint("cite", __name__)

#: Extension → (media type, writer of a list of citations).
FORMATS = {
    "bib": (citeformats.BIBTEX_MEDIA, citeformats.bibtex_file),
    "json": (citeformats.CSL_MEDIA, citeformats.csl_json),
}


def served_release() -> rel.Release:
    """The release of the snapshot this server serves (read once per process)."""
    cache = app_cache()
    if "release" not in cache:
        settings = current_app.config["NARCOKG"]
        manifest = None if settings.dump else snapshot.read_manifest(settings.dist)
        cache["release"] = rel.of_manifest(manifest, settings.nquads)
    return cache["release"]


@blueprint.app_template_global()
def class_query_href(public_class: str, label: str) -> str:
    """The query page asking for the instances of a class (the "query this" link of class pages)."""
    c = ctx()
    return queries.query_href(c.iris.root, queries.instances_of(public_class, label, c.lang))


def _graph() -> Citation:
    c = ctx()
    return graph_citation(c.base, served_release())


def _answer(items: list[Citation], ext: str):
    media, write = FORMATS[ext]
    return cached_response(write(items), media, vary=())


def _unknown_format(name: str):
    return error(404, f"no such citation format: use {name}.bib (BibTeX) or {name}.json (CSL-JSON)")


@blueprint.get("/cite")
def cite_page():
    c = _graph()
    return render_page(
        "cite.html",
        text=citeformats.text(c, choose_lang()),
        bibtex=citeformats.bibtex(c),
        csl_json=citeformats.csl_json([c]),
        release=served_release(),
        licence=rel.LICENCE,
        licence_name=rel.LICENCE_NAME,
    )


@blueprint.get("/cite.<ext>")
def cite_graph(ext: str):
    if ext not in FORMATS:
        return _unknown_format("/cite")
    return _answer([_graph()], ext)


@blueprint.get("/cite/<path:path>")
def cite_resource(path: str):
    stem, dot, ext = path.rpartition(".")
    if not dot or ext not in FORMATS:
        return _unknown_format(f"/cite/{path}")
    if not valid_path(stem):
        return error(400, "malformed resource path: use letters, digits and - _ . ~ between slashes")
    c = ctx()
    iri = c.iris.iri_of_path(stem)
    if not describe.exists(c.store, iri):
        return error(404, f"no resource with the IRI {iri} in this knowledge graph")
    reader = CitationReader(c.store, c.base, c.iris, c.labels, c.lang)
    item = reader.document(iri) if reader.is_document(iri) else reader.entity(iri, served_release())
    return _answer([item], ext)
