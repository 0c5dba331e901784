"""The engine seam (``narcokg.engine.base.Engine``): every implementation answers the same way
and keeps the same promises. Each test runs against every engine the server can stand on."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from narcokg.config import BASE, load_settings
from narcokg.engine.base import QueryJob
from narcokg.engine.embedded import EmbeddedEngine
from narcokg.engine.remote import RemoteEngine
from narcokg.errors import LimitExceeded, NarcokgError
from narcokg.web.errors import status_of

IDN = ox.NamedNode(BASE + "id/state/IDN")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _settings(built):
    return load_settings(dist=built.out_dir, query_timeout=2.0, max_rows=1000)


def _embedded(request, built):
    settings = _settings(built)
    return EmbeddedEngine(settings, settings.nquads)


def _oxigraph(request, built):
    """Oxigraph server (a real one, on loopback) through the remote engine."""
    endpoint = request.getfixturevalue("oxigraph_endpoint")
    return RemoteEngine(_settings(built), endpoint.url, "oxigraph")


def _virtuoso(request, built):
    """Virtuoso (Debian's virtuoso-opensource, a real one on loopback) through the remote engine."""
    endpoint = request.getfixturevalue("virtuoso_endpoint")
    return RemoteEngine(_settings(built), endpoint.url, "virtuoso")


ENGINES = {"embedded": _embedded, "oxigraph": _oxigraph, "virtuoso": _virtuoso}


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request, built):
    eng = ENGINES[request.param](request, built)
    eng.start()
    yield eng
    eng.close()


def test_quads_match_a_pattern_with_their_graphs(engine):
    found = list(engine.quads(IDN, LABEL, None, None))
    assert found and all(q.subject == IDN and q.predicate == LABEL for q in found)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in found)


def test_select_binds_variables_without_string_building(engine):
    rows = engine.select("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }", s=IDN)
    assert {r["label"].value for r in rows} >= {"Indonesia"}


def test_graphs_and_size(engine):
    graphs = engine.graphs()
    assert BASE + "graph/ontology" in graphs and BASE + "graph/reference" in graphs
    assert engine.size() > 1000


def test_a_client_select_is_answered_in_its_format(engine):
    job = QueryJob(f"SELECT ?l WHERE {{ <{IDN.value}> <{LABEL.value}> ?l }}", "json")
    answer = engine.execute(job)
    assert answer.kind == "solutions" and answer.rows >= 1
    assert json.loads(answer.body)["head"]["vars"] == ["l"]


def test_the_bounded_path_and_the_pool_give_the_same_answer(engine):
    text = f"SELECT ?p ?o WHERE {{ <{IDN.value}> ?p ?o }}"
    inline = engine.execute(QueryJob(text, "json", bounded=True))
    pooled = engine.execute(QueryJob(text, "json", bounded=False))
    assert json.loads(inline.body) == json.loads(pooled.body)


def test_a_construct_is_answered_as_a_graph(engine):
    job = QueryJob(f"CONSTRUCT {{ <{IDN.value}> ?p ?o }} WHERE {{ <{IDN.value}> ?p ?o }}", "ntriples")
    answer = engine.execute(job)
    assert answer.kind == "graph"
    assert len(list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))) == answer.rows > 0


def test_the_row_limit_holds(engine):
    with pytest.raises(LimitExceeded) as exc:
        engine.execute(QueryJob("SELECT * WHERE { ?s ?p ?o }", "json", max_rows=10))
    assert exc.value.limit == "max_rows"


def test_the_time_limit_holds(engine):
    with pytest.raises(LimitExceeded) as exc:
        engine.execute(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "json"))
    assert exc.value.limit == "query_timeout"


def test_the_job_key_covers_what_shapes_the_answer():
    a = QueryJob("SELECT * {}", "json")
    assert a.key() == QueryJob("SELECT * {}", "json", bounded=True).key()
    assert a.key() != QueryJob("SELECT * {}", "xml").key()
    assert a.key() != QueryJob("SELECT * {}", "json", max_rows=5).key()
    assert a.key() != QueryJob("SELECT * {}", "json", union=False, default_graph=("http://g",)).key()


def test_service_is_refused_by_the_engine_itself(engine):
    """The web layer refuses SERVICE from its analysis; the engine must not rely on it."""
    with pytest.raises(NarcokgError) as exc:
        engine.execute(QueryJob("SELECT * WHERE { SERVICE <http://127.0.0.1:59999/sparql> { ?s ?p ?o } }", "json"))
    assert status_of(exc.value) == 400


def test_an_update_is_refused_by_the_engine_itself(engine):
    with pytest.raises(NarcokgError) as exc:
        engine.execute(QueryJob("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "json"))
    assert status_of(exc.value) == 400
    assert not list(engine.quads(ox.NamedNode("http://example.org/a"), None, None, None))


def test_describe_gives_the_resource_s_own_statements(engine):
    answer = engine.execute(QueryJob(f"DESCRIBE <{IDN.value}>", "ntriples"))
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
    assert triples and {t.subject for t in triples} == {IDN}
    own = {(q.predicate, q.object) for q in engine.quads(IDN, None, None, None)}
    assert {(t.predicate, t.object) for t in triples} == own


def test_a_format_that_does_not_fit_the_query_is_refused(engine):
    with pytest.raises(NarcokgError) as exc:
        engine.execute(QueryJob(f"CONSTRUCT {{ <{IDN.value}> ?p ?o }} WHERE {{ <{IDN.value}> ?p ?o }}", "json"))
    assert status_of(exc.value) == 406


def test_a_scan_stopped_early_leaves_the_engine_usable(engine):
    import itertools

    for _ in range(3):  # each stop must leave no half-read answer on a reused connection
        first = list(itertools.islice(engine.quads(None, None, None, None), 5))
        assert len(first) == 5 and all(isinstance(q, ox.Quad) for q in first)
    assert list(engine.quads(first[0].subject, first[0].predicate, first[0].object, first[0].graph_name)) == [first[0]]
    assert engine.select("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", s=IDN)


def _table(engine, query: str) -> list[tuple]:
    """A client query's rows as tuples of plain values (or the boolean of an ASK)."""
    answer = engine.execute(QueryJob(query, "json"))
    result = ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return [tuple(t.value if t is not None else None for t in row) for row in result]


def test_the_dataset_is_the_snapshot_s_graphs_and_nothing_else(engine, built):
    """The default graph is the union of the snapshot's graphs and GRAPH ranges over exactly
    them, whatever else the engine holds (Virtuoso holds system graphs of its own: its remote
    engine excludes them from the default graph and names the snapshot's graphs)."""
    dump = ox.Dataset(ox.parse(path=str(built.out_dir / "narcokg.nq"), format=ox.RdfFormat.N_QUADS))
    per_graph: dict[str, int] = {}
    for quad in dump:
        per_graph[quad.graph_name.value] = per_graph.get(quad.graph_name.value, 0) + 1
    triples = len({quad.triple for quad in dump})
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    assert _table(engine, distinct) == [(str(triples),)]
    listed = _table(engine, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {g: int(n) for g, n in listed} == per_graph
    editorial = BASE + "graph/editorial"
    named = _table(engine, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{editorial}> {{ ?s ?p ?o }} }}")
    assert named == [(str(per_graph[editorial]),)]
    mixed = f"SELECT ?s WHERE {{ ?s ?p ?o GRAPH <{editorial}> {{ ?s ?q ?x }} }} LIMIT 1"
    assert len(_table(engine, mixed)) == 1  # the default graph and a named graph in one query
    # Rows, not ASK or COUNT: Virtuoso 7.2 answers true and 1 over a GRAPH it knows to be outside
    # the dataset (as with the graphs named as default-graph-uri too).
    assert _table(engine, "SELECT * WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }") == []
