"""The knowledge base as built: reproducible, reasoned, labelled, typed, formatted."""

from __future__ import annotations

import filecmp

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Literal, Namespace, URIRef

from narcokg.build import pipeline as build

from narcokg import snapshot

from narcokg.build import turtlefmt
from narcokg.config import BASE, load_settings

from conftest import ROOT

NKG = Namespace(BASE + "ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ID = BASE + "id/"


def graph(built, slug):
    return built.dataset.graph(URIRef(BASE + "graph/" + slug))


def union(built):
    return build.union(list(built.dataset.graphs()))


def test_two_builds_of_the_same_sources_are_byte_identical(built, tmp_path):
    again = build.run(load_settings(dist=tmp_path / "again"), progress=lambda _m: None)
    for name in snapshot.DUMPS + [snapshot.MANIFEST]:
        assert filecmp.cmp(built.out_dir / name, again.out_dir / name, shallow=False), name


def test_build_writes_every_dump_and_one_graph_per_source_document(built):
    for name in snapshot.DUMPS:
        assert (built.out_dir / name).stat().st_size > 0
    names = {str(g.identifier) for g in built.dataset.graphs() if len(g)}
    for slug in [
        "polri-asean",
        "nainggolan-2024",
        "bnn-timor-leste",
        "rasyid-ramadhan",
        "indonesia-unodc-cp",
        "reference",
        "ontology",
        "shapes",
        "inferred",
        "validation",
    ]:
        assert BASE + "graph/" + slug in names


def test_each_source_graph_is_described_by_its_document(built):
    g = union(built)
    for slug in ["polri-asean", "nainggolan-2024", "bnn-timor-leste", "rasyid-ramadhan", "indonesia-unodc-cp"]:
        doc = URIRef(ID + "source/" + slug)
        assert (doc, RDF.type, NKG.SourceDocument) in g
        derived = set(graph(built, slug).subjects(PROV.wasDerivedFrom, doc))
        assert derived, f"no statement of graph {slug} is derived from its document"


def test_the_knowledge_graph_has_no_violation(built):
    assert built.report.violations == 0, [r for r in built.report.results if r.severity == "Violation"]


@pytest.mark.parametrize(
    "subject,predicate,obj",
    [
        ("organisation/bnn", NKG.partyTo, "agreement/mou-indonesia-fiji-2015"),  # owl:inverseOf
        ("event/signing-mou-indonesia-fiji-2015", NKG.signingOf, "agreement/mou-indonesia-fiji-2015"),
        ("state/IDN", ORG.hasSubOrganization, "organisation/bnn"),  # ORG inverse
        ("organisation/ditresnarkoba-polda-metro-jaya", ORG.transitiveSubOrganizationOf, "state/IDN"),  # transitivity
        ("organisation/bnn", NKG.conducted, "seizure/batam-2018-02-11"),
        ("place/sekupang", NKG.locatedIn, "country/IDN"),  # transitive locatedIn
        ("country/IDN", NKG.territoryOf, "state/IDN"),
    ],
)
def test_owl_rl_infers_inverses_and_transitive_closures(built, subject, predicate, obj):
    inferred = graph(built, "inferred")
    assert (URIRef(ID + subject), predicate, URIRef(ID + obj)) in inferred


def test_owl_rl_infers_superclasses_from_the_alignment(built):
    inferred = graph(built, "inferred")
    bnn = URIRef(ID + "organisation/bnn")
    assert (bnn, RDF.type, ORG.Organization) in inferred
    assert (bnn, RDF.type, PROV.Agent) in inferred
    assert (URIRef(ID + "agreement/mou-indonesia-fiji-2015"), RDF.type, NKG.Agreement) in inferred


def test_inferred_graph_holds_no_noise(built):
    inferred = graph(built, "inferred")
    for s, p, o in inferred:
        assert not isinstance(s, Literal)
        assert not (p == OWL.sameAs and s == o)
        assert not str(s).startswith(str(RDF)), (s, p, o)


def entities(g):
    return {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(ID)}


def test_every_entity_has_an_english_label(built):
    g = union(built)
    missing = [
        e for e in entities(g) if not any(getattr(l, "language", None) == "en" for l in g.objects(e, RDFS.label))
    ]
    assert entities(g), "no entities found"
    assert missing == []


DATE_PROPS = {
    NKG.date: XSD.date,
    NKG.yearMonth: XSD.gYearMonth,
    NKG.year: XSD.gYear,
    NKG.startYear: XSD.gYear,
    NKG.endYear: XSD.gYear,
    NKG.refYear: XSD.gYear,
    NKG.foundingYear: XSD.gYear,
}
COUNT_PROPS = [
    NKG.caseCount,
    NKG.suspectCount,
    NKG.foreignSuspectCount,
    NKG.domesticSuspectCount,
    NKG.npsCount,
    NKG.participantCount,
    NKG.statedCount,
    NKG.arrestedCount,
    NKG.rowNumber,
]
SCHEMA_VALUE = URIRef("https://schema.org/value")


def test_every_date_count_and_weight_is_typed(built):
    g = union(built)
    seen = 0
    for prop, datatype in DATE_PROPS.items():
        for o in g.objects(None, prop):
            seen += 1
            assert isinstance(o, Literal) and o.datatype == datatype, (prop, o)
    for prop in COUNT_PROPS:
        for o in g.objects(None, prop):
            seen += 1
            assert isinstance(o, Literal) and o.datatype == XSD.integer, (prop, o)
    for q in g.subjects(RDF.type, NKG.Quantity):
        value = g.value(q, SCHEMA_VALUE)
        assert isinstance(value, Literal) and value.datatype == XSD.decimal, q
        assert g.value(q, URIRef("https://schema.org/unitCode")) is not None, q
    assert seen > 100


def test_the_agreements_table_has_fifteen_rows_with_their_signings(built):
    g = union(built)
    rows = {int(g.value(a, NKG.rowNumber)) for a in g.subjects(NKG.counterpartState, None)}
    assert rows == set(range(1, 16))
    # rows 4, 10, 12 and 13 name two places: two signing events each
    signings = [e for a in g.subjects(NKG.counterpartState, None) for e in g.objects(a, NKG.signing)]
    assert len(signings) == 19
    for e in signings:
        assert len(list(g.objects(e, NKG.place))) == 1 and len(list(g.objects(e, NKG.date))) == 1


def test_every_source_conflict_is_reported_as_a_warning(built):
    g = union(built)
    conflicts = set(g.subjects(RDF.type, NKG.SourceConflict))
    assert len(conflicts) == 9
    subjects = {str(s) for c in conflicts for s in g.objects(c, NKG.conflictSubject)}
    warned = {r.focus for r in built.report.results if r.severity == "Warning"}
    assert subjects == warned


def test_all_turtle_is_in_one_format():
    assert [p.name for p in turtlefmt.unformatted(load_settings())] == []


def test_ontology_terms_have_bilingual_labels_and_definitions(built):
    onto = graph(built, "ontology")
    terms = {s for s in onto.subjects(RDFS.isDefinedBy, URIRef(BASE + "ontology"))}
    assert len(terms) > 80
    for t in terms:
        langs = {l.language for l in onto.objects(t, RDFS.label)}
        assert {"en", "id"} <= langs, t
        assert onto.value(t, RDFS.comment) is not None, t


def test_every_class_of_the_ontology_has_an_example(built):
    """A researcher can write a query from /ontology alone: each class shows one instance's pattern."""
    onto = graph(built, "ontology")
    skos_example = URIRef("http://www.w3.org/2004/02/skos/core#example")
    classes = {c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(NKG))}
    assert len(classes) > 35
    missing = sorted(str(c) for c in classes if onto.value(c, skos_example) is None)
    assert missing == []
    union_subjects = {str(s) for g in built.dataset.graphs() for s in g.subjects(RDF.type, None)}
    for c in classes:
        example = str(onto.value(c, skos_example))
        assert " a nkg:" in example, (c, example)
        curie = example.split(" ", 1)[0]
        assert ":" in curie and not curie.startswith("<"), (c, curie)
    assert union_subjects


NOT_DATA_GRAPHS = {"ontology", "shapes", "validation", "inferred"}


def _turtle_prefixes() -> str:
    """The PREFIX lines of the repository's Turtle files: the CURIEs the ontology's examples use."""
    import re

    root = ROOT
    found: dict[str, str] = {}
    for path in sorted(root.glob("ontology/*.ttl")) + sorted(root.glob("triples/**/*.ttl")):
        for m in re.finditer(r"^PREFIX (\S*): <([^>]*)>", path.read_text(encoding="utf-8"), re.M):
            found.setdefault(m.group(1), m.group(2))
    found.setdefault("wd", "http://www.wikidata.org/entity/")
    return "".join(f"@prefix {p}: <{n}> .\n" for p, n in found.items())


def _example_triples(example: str, prefixes: str):
    """An example's triples; "…" ends a shortened literal or stands for the rest of a list."""
    from rdflib import Graph

    text = example.replace(", … ;", ";").replace(", … .", ".")
    return list(Graph().parse(data=prefixes + text, format="turtle"))


def test_every_class_the_data_uses_has_an_example_that_holds(built):
    """Issue 14 ("a researcher can write a query from /ontology alone"): the Data Cube, SKOS and PROV
    classes the data instantiates had no example in /ontology, and the Ambiguity example quoted a
    comment the data no longer has. Every class with an instance in a data graph has a skos:example,
    and every triple of every example is in the data (a literal shortened with "…" by its prefix)."""
    skos_example = URIRef("http://www.w3.org/2004/02/skos/core#example")
    onto = graph(built, "ontology")
    data = [g for g in built.dataset.graphs() if str(g.identifier).rsplit("/", 1)[-1] not in NOT_DATA_GRAPHS]
    used = {c for g in data for c in g.objects(None, RDF.type) if isinstance(c, URIRef)}
    used -= {OWL.Ontology}
    assert {c for c in used if onto.value(c, skos_example) is None} == set()
    everything = union(built)
    prefixes, wrong = _turtle_prefixes(), []
    for c, example in onto.subject_objects(skos_example):
        for s, p, o in _example_triples(str(example), prefixes):
            if isinstance(o, Literal) and "…" in o:
                head = str(o).split("…", 1)[0]
                held = any(str(x).startswith(head) for x in everything.objects(s, p))
            else:
                held = (s, p, o) in everything
            if not held:
                wrong.append((str(c).rsplit("#", 1)[-1], str(s).rsplit("/", 1)[-1], str(p), str(o)[:60]))
    assert wrong == []


# One relation, one pattern (issue 14, item 8): SPARQL over the built graphs; each query found the
# old pattern (a Cooperation with a forum's body as participant, a one-actor or recommended
# cooperation, a figure's area a State, a publication as reporter).
PREFIXES = f"PREFIX nkg: <{NKG}>\nPREFIX id: <{ID}>\nPREFIX rdfs: <{RDFS}>\n"


def ask_rows(built, query: str) -> list:
    return [tuple(str(v) for v in row) for row in union(built).query(PREFIXES + query)]


def test_an_agency_takes_part_in_a_programme_or_forum_in_one_way(built):
    """003 line 63: Polri in "the SMART, ASEAN-NAR, and AMMTC programs"; 001 lines 230-233:
    Indonesia in the CND's annual session. The actor is nkg:participant of the programme, forum or
    meeting itself, never of a Cooperation whose other participant is the forum's body."""
    rasyid = graph(built, "rasyid-ramadhan")
    polri = URIRef(ID + "organisation/polri")
    joined = {str(s).split("/id/")[1] for s in rasyid.subjects(NKG.participant, polri)}
    assert {"programme/smart", "programme/asean-nar", "organisation/ammtc"} <= joined
    forum_as_partner = ask_rows(
        built,
        """SELECT ?c ?forum WHERE {
        ?c a nkg:Cooperation ; nkg:participant ?forum .
        { ?meeting nkg:meetingOf ?forum } UNION { ?forum nkg:participant ?someone } UNION { ?forum a nkg:Programme }
    }""",
    )
    assert forum_as_partner == []
    cnd = URIRef(ID + "meeting/cnd-annual-session")
    assert (cnd, NKG.participant, URIRef(ID + "state/IDN")) in graph(built, "nainggolan-2024")


def test_a_cooperation_is_between_two_actors_and_is_not_a_recommendation(built):
    """A one-actor activity (002 line 5) and the author's proposed joint task force (001 lines
    643-652, "Idealnya ...") were typed nkg:Cooperation; both are claims."""
    lonely = ask_rows(
        built,
        """SELECT ?c WHERE { ?c a nkg:Cooperation ; nkg:participant ?p }
                                GROUP BY ?c HAVING (COUNT(DISTINCT ?p) < 2)""",
    )
    assert lonely == []
    wished = ask_rows(
        built,
        """SELECT ?c WHERE { ?c a nkg:Cooperation ; nkg:evidence ?e .
        FILTER (REGEX(?e, "(^|\\\\W)(idealnya|seharusnya|sebaiknya|perlu|harus|should|recommend)", "i")) }""",
    )
    assert wished == []
    claim = URIRef(ID + "claim/nainggolan-2024-singapore-malaysia-reluctant")
    assert "satuan tugas" in " ".join(str(t) for t in graph(built, "nainggolan-2024").objects(claim, NKG.claimText))


def test_a_figure_has_one_kind_of_area_and_reporter(built):
    """nkg:refArea is a place (cty:IDN, not st:IDN); nkg:reportedBy an organisation (a publication is
    dcterms:references, a programme dcterms:source)."""
    wrong = ask_rows(
        built,
        """SELECT ?fig ?x WHERE {
        { ?fig nkg:refArea ?x . FILTER NOT EXISTS { ?x a nkg:Place } }
        UNION { ?fig nkg:refArea ?x . ?x a nkg:State }
        UNION { ?fig nkg:reportedBy ?x . FILTER NOT EXISTS { ?x a nkg:Organisation } }
    }""",
    )
    assert wrong == []
    areas = ask_rows(built, "SELECT DISTINCT ?x WHERE { ?fig nkg:refArea ?x }")
    assert len(areas) >= 2


def test_every_entity_iri_names_the_kind_of_its_class(built):
    """A Membership was minted under id/cooperation/, smuggling attempts under id/seizure/."""
    misplaced = [r for r in built.report.results if r.source_shape.endswith("#IriScheme")]
    assert misplaced == []
    kinds = ask_rows(
        built, """SELECT DISTINCT ?x WHERE { { ?x a nkg:Membership } UNION { ?x a nkg:SmugglingAttempt } }"""
    )
    assert kinds and all(x.startswith((ID + "membership/", ID + "smuggling-attempt/")) for (x,) in kinds)
