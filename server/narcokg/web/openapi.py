"""``GET /openapi.json``: the HTTP interface as an OpenAPI 3.1 document.

Written by hand from the routes, so it says what a client may send and what comes back (media
types, parameters, error statuses), not what a framework guesses; a test compares its paths with
the app's URL map and runs schemathesis against the real server with it.

Size: over 500 lines because it is a declarative document (one dict per route, as formatted by
ruff, one item per line), not logic.
"""

from __future__ import annotations

from flask import Blueprint, Response

from narcokg.formats import registry
from narcokg.formats import sparql as sparqlformats
from narcokg.web.pages import DUMP_INFO

blueprint = Blueprint("openapi", __name__)

_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_RDF_TYPES = [f.media_type for f in (registry.TURTLE, registry.JSONLD, registry.NTRIPLES, registry.RDFXML)]
_QUAD_TYPES = [registry.TRIG.media_type, registry.NQUADS.media_type]
_CITE_TYPES = ["application/x-bibtex", "application/vnd.citationstyles.csl+json"]
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "page language (English or Indonesian); otherwise Accept-Language decides",
    "schema": {"type": "string", "enum": ["en", "id"]},
}


#: The parameters /search and /search.json share.
_SEARCH_PARAMS = [
    {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "the words to find (at most 200 characters)",
        "schema": {"type": "string"},
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "the page of hits, from 1",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "type",
        "in": "query",
        "required": False,
        "description": "only hits of this kind: a class IRI or CURIE (nkg:Agreement)",
        "schema": {"type": "string"},
    },
]
_SEARCH_ANSWER = {
    "type": "object",
    "required": ["query", "total", "results"],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "description": "hits in all (of the chosen kind)"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "iri": {"type": "string"},
                    "label": {"type": "string"},
                    "matched": {"type": "string"},
                    "field": {"type": "string", "enum": ["name", "definition", "claim"]},
                    "url": {"type": "string"},
                    "types": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "page": {"type": "integer"},
        "limit": {"type": "integer"},
        "offset": {"type": "integer"},
        "first": {"type": "integer"},
        "last": {"type": "integer"},
        "pages": {"type": "integer"},
        "next": {"type": ["string", "null"]},
        "previous": {"type": ["string", "null"]},
        "type": {"type": ["string", "null"]},
        "facets": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "curie": {"type": "string"},
                    "label": {"type": "string"},
                    "count": {"type": "integer"},
                },
            },
        },
    },
}


#: The query page's table as shown (/table.json).
_TABLE_ANSWER = {
    "type": "object",
    "required": ["columns", "rows", "shown", "answer_rows"],
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}},
        "shown": {"type": "integer", "description": "rows here (the page shows at most 1000)"},
        "answer_rows": {"type": "integer", "description": "rows of the whole answer"},
        "lang": {"type": "string", "enum": ["en", "id"]},
    },
}


def _table(media_type: str, schema: dict, query: dict) -> dict:
    return {
        "get": {
            "summary": "the query page's results table as shown (its rows, each IRI column followed by "
            "a {column}_label column in the page's language), for download",
            "parameters": [query, _LANG],
            "responses": {
                "200": {"description": "the table", "content": {media_type: {"schema": schema}}},
                **_errors(400, 403, 413, 422, 429, 503),
            },
        }
    }


def _content(types: list[str], schema: dict | None = None) -> dict:
    return {t: {"schema": schema or {"type": "string"}} for t in types}


def _errors(*codes: int) -> dict:
    reasons = {
        400: "malformed request: the body says what to change",
        403: "a SPARQL Update (read-only endpoint)",
        404: "no such resource",
        405: "method not allowed",
        406: "no offered media type fits Accept",
        413: "request too large",
        415: "unsupported Content-Type",
        422: "the answer is too large or the engine gave up",
        429: "fair-use budget spent (see Retry-After)",
        503: "busy or restarting (see Retry-After)",
    }
    return {str(c): {"description": reasons[c], "content": {**_TEXT, **_HTML}} for c in codes}


def _page(summary: str, *, params: list | None = None, types: list[str] | None = None, errors=(404,)) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": params or [],
            "responses": {
                "200": {"description": "the resource", "content": _content(types or ["text/html"])},
                **_errors(*errors),
            },
        }
    }


def _path_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


def document() -> dict:
    solutions = [f.media_type for f in sparqlformats.offered("solutions")]
    graphs = [f.media_type for f in sparqlformats.offered("graph")]
    query = {
        "name": "query",
        "in": "query",
        "description": "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
        "schema": {"type": "string"},
    }
    sparql_params = [
        {**query, "required": False},
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "description": "IRI of a graph for the default graph",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "description": "IRI of a named graph of the dataset",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "result format by name, overriding Accept",
            "schema": {"type": "string", "enum": sorted(sparqlformats.BY_NAME)},
        },
    ]
    sparql_ok = {
        "200": {
            "description": "the answer (SELECT/ASK: a results format; CONSTRUCT/DESCRIBE: RDF); "
            "without a query, the Service Description",
            "content": _content(solutions + graphs + ["text/html"]),
        }
    }
    sparql_errors = _errors(400, 403, 406, 413, 415, 422, 429, 503)
    refused = {"summary": "not allowed: the endpoint answers GET and POST only", "responses": _errors(405)}
    paths = {
        "/": {
            "get": {
                "summary": "the query page: an editor, examples and, with ?query=, the results as HTML",
                "parameters": [{**query, "required": False}, _LANG],
                "responses": {
                    "200": {"description": "the page", "content": _HTML},
                    **_errors(400, 403, 413, 422, 429, 503),
                },
            },
            "post": {
                "summary": "the query page's results for a query sent as a form (what the page's script uses)",
                "parameters": [_LANG],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"type": "object", "properties": {"query": {"type": "string"}}}
                        }
                    }
                },
                "responses": {
                    "200": {"description": "the page", "content": _HTML},
                    **_errors(400, 403, 413, 422, 429, 503),
                },
            },
        },
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 Protocol query (read-only)",
                "parameters": sparql_params,
                "responses": {**sparql_ok, **sparql_errors},
            },
            "post": {
                "summary": "SPARQL 1.1 Protocol query in the body",
                "parameters": sparql_params[1:],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "default-graph-uri": {"type": "string"},
                                    "named-graph-uri": {"type": "string"},
                                },
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    }
                },
                "responses": {**sparql_ok, **sparql_errors},
            },
            "put": refused,
            "delete": refused,
            "patch": refused,
        },
        "/table.csv": _table(registry.CSV.media_type, {"type": "string"}, {**query, "required": True}),
        "/table.json": _table("application/json", _TABLE_ANSWER, {**query, "required": True}),
        "/sparql/terms.json": {
            "get": {
                "summary": "prefixes, classes and properties for the editor's autocompletion",
                "parameters": [_LANG],
                "responses": {
                    "200": {
                        "description": "the terms",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["prefixes", "terms"],
                                    "properties": {
                                        "prefixes": {"type": "object", "additionalProperties": {"type": "string"}},
                                        "terms": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "required": ["curie", "iri", "kind"],
                                                "properties": {
                                                    "curie": {"type": "string"},
                                                    "iri": {"type": "string"},
                                                    "kind": {"type": "string", "enum": ["class", "property"]},
                                                    "label": {"type": "string"},
                                                    "uses": {"type": "integer"},
                                                },
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "304": {"description": "not modified (If-None-Match)"},
                },
            }
        },
        "/search": _page(
            "search names, definitions and claims: 50 hits a page, kinds as facets",
            params=[*_SEARCH_PARAMS, _LANG],
            errors=(400,),
        ),
        "/search.json": {
            "get": {
                "summary": "search names, definitions and claims, for type-ahead and programs",
                "parameters": [
                    *_SEARCH_PARAMS,
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "hits per page, 1 to 50 (default 10)",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                    },
                    _LANG,
                ],
                "responses": {
                    "200": {
                        "description": "one page of hits, the paging and the kinds of all hits",
                        "content": {"application/json": {"schema": _SEARCH_ANSWER}},
                    },
                    **_errors(400),
                },
            }
        },
        "/fragments": _page(
            "Triple Pattern Fragments: the triples (or quads) matching a pattern, one page at a time, with "
            "Hydra controls (search form, total estimate, next/previous pages)",
            params=[
                {"name": n, "in": "query", "required": False, "description": d, "schema": {"type": "string"}}
                for n, d in (
                    ("subject", "an IRI, or empty for any"),
                    ("predicate", "an IRI, or empty for any"),
                    ("object", "an IRI or a literal in N-Triples syntax, or empty for any"),
                    ("graph", "a graph IRI, or ?g for every graph with each statement's graph"),
                    ("page", "the page number, from 1"),
                )
            ],
            types=[
                f.media_type
                for f in (registry.TURTLE, registry.TRIG, registry.NTRIPLES, registry.NQUADS, registry.JSONLD)
            ],
            errors=(400, 406),
        ),
        "/browse": _page("classes and how many instances each has", params=[_LANG]),
        "/browse/{slug}": _page(
            "the instances of one class",
            params=[
                _path_param("slug", "a local name of the ontology (State) or a CURIE (qb:DataSet)"),
                {"name": "page", "in": "query", "required": False, "schema": {"type": "string"}},
                _LANG,
            ],
            errors=(400, 404),
        ),
        "/page/{path}": _page(
            "the HTML page of a resource",
            params=[_path_param("path", "the resource's path under id/"), _LANG],
            errors=(400, 404),
        ),
        "/id/{path}": {
            "get": {
                "summary": "a resource's IRI: 303 See Other to its page or data, by Accept",
                "parameters": [_path_param("path", "the resource's path under id/")],
                "responses": {"303": {"description": "see the page or the data"}, **_errors(400, 404, 406)},
            }
        },
        "/data/{path}": _page(
            "a resource's RDF description (Turtle, JSON-LD, N-Triples, RDF/XML by extension or Accept)",
            params=[_path_param("path", "the resource's path, optionally with .ttl, .jsonld, .nt or .rdf")],
            types=_RDF_TYPES,
            errors=(400, 404, 406),
        ),
        "/graph/{slug}": _page(
            "one named graph",
            params=[_path_param("slug", "the graph's name")],
            types=["text/html"] + _RDF_TYPES + _QUAD_TYPES,
            errors=(404, 406),
        ),
        "/.well-known/genid/{rest}": _page(
            "a skolemized blank node",
            params=[_path_param("rest", "its identifier")],
            types=["text/html"] + _RDF_TYPES,
            errors=(400, 404, 406),
        ),
        "/ontology": _page(
            "the ontology's documentation, or the ontology as RDF by Accept",
            params=[_LANG],
            types=["text/html"] + _RDF_TYPES,
            errors=(406,),
        ),
        "/ontology.{ext}": _page(
            "the ontology in one format",
            params=[_path_param("ext", "ttl, jsonld, nt or rdf")],
            types=_RDF_TYPES,
            errors=(404,),
        ),
        "/shapes": _page(
            "the SHACL shapes, documented, or as RDF by Accept",
            params=[_LANG],
            types=["text/html"] + _RDF_TYPES,
            errors=(406,),
        ),
        "/shapes.{ext}": _page(
            "the shapes in one format",
            params=[_path_param("ext", "ttl, jsonld, nt or rdf")],
            types=_RDF_TYPES,
            errors=(404,),
        ),
        "/void": _page("the VoID description of the dataset", types=_RDF_TYPES + ["text/html"], errors=(406,)),
        "/.well-known/void": _page(
            "the VoID description (well-known location)", types=_RDF_TYPES + ["text/html"], errors=(406,)
        ),
        "/download": _page("the snapshot files to download", params=[_LANG]),
        "/download/{name}": _page(
            "one snapshot file",
            params=[_path_param("name", "a file name listed on /download")],
            types=list(dict.fromkeys(media for media, _ in DUMP_INFO.values())) + ["application/json"],
        ),
        "/shacl": _page(
            "the validation report of the knowledge graph",
            params=[
                {"name": "severity", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "shape", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "format", "in": "query", "required": False, "schema": {"type": "string"}},
                _LANG,
            ],
            types=["text/html"] + _RDF_TYPES,
            errors=(400, 406),
        ),
        "/shacl/validate": {
            "get": {
                "summary": "a form to validate your own RDF against the shapes",
                "parameters": [_LANG],
                "responses": {"200": {"description": "the form", "content": _HTML}},
            },
            "post": {
                "summary": "validate RDF data against the project's shapes",
                "parameters": [{"name": "format", "in": "query", "required": False, "schema": {"type": "string"}}],
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                                    "data": {"type": "string"},
                                    "syntax": {"type": "string"},
                                },
                            }
                        },
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"data": {"type": "string"}, "syntax": {"type": "string"}},
                            }
                        },
                        **_content(_RDF_TYPES),
                    }
                },
                "responses": {
                    "200": {"description": "the validation report", "content": _content(["text/html"] + _RDF_TYPES)},
                    **_errors(400, 406, 413, 415, 429, 503),
                },
            },
        },
        "/cite": _page(
            "how to cite the knowledge graph: version, snapshot date, licence, BibTeX and CSL-JSON",
            params=[_LANG],
            errors=(),
        ),
        "/cite.{ext}": _page(
            "the knowledge graph's citation: bib (application/x-bibtex) or json (CSL-JSON)",
            params=[_path_param("ext", "bib or json")],
            types=_CITE_TYPES,
            errors=(404,),
        ),
        "/cite/{path}": _page(
            "one resource's citation: a source document or cited work as itself, any other "
            "resource as an entry of this snapshot; {path} is the resource's path under id/ "
            "followed by .bib (BibTeX) or .json (CSL-JSON)",
            params=[_path_param("path", "the resource's path with .bib or .json, e.g. source/nainggolan-2024.bib")],
            types=_CITE_TYPES,
            errors=(400, 404),
        ),
        "/health": {
            "get": {
                "summary": "liveness: the app answers and its engine answers a trivial query (503 when it does not)",
                "responses": {
                    "200": {
                        "description": "alive",
                        "content": {**_TEXT, "application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors(503),
                },
            }
        },
        "/static/{filename}": _page(
            "stylesheets, scripts and icons of the pages",
            params=[_path_param("filename", "a file name")],
            types=["text/css", "text/javascript", "image/svg+xml"],
        ),
        "/openapi.json": {
            "get": {
                "summary": "this description",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    for item in paths.values():  # HEAD answers like GET (headers only)
        item.setdefault("parameters", [])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "narcokg",
            "version": _version(),
            "description": "Linked data, SPARQL endpoint and SHACL validation of the knowledge graph of "
            "Indonesia's international cooperation against narcotics trafficking.",
            "license": {"name": "Data CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "paths": paths,
    }


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("narcokg")
    except Exception:  # noqa: BLE001 - not installed (a checkout on PYTHONPATH)
        return "0"


@blueprint.get("/openapi.json")
def openapi_json():
    import json

    # No "servers": paths resolve against where the document was fetched (no Host header echoed).
    resp = Response(json.dumps(document(), ensure_ascii=False, indent=1), mimetype="application/json")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
