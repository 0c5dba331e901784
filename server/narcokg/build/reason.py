"""OWL RL closure of ontology + data, keeping only what is new and meaningful.

Two reasoners compute one closure. owlrl (Python) is the reference: it runs without axiomatic
triples or datatype axioms (they add thousands of triples about RDF itself that no user asks
for) and reports inconsistencies. reasonable (Rust) computes the same closure about 25× faster
but leaves out what follows from the schema alone (domains, ranges and superclasses propagated
through the class and property hierarchies) and reports no inconsistency. So the build runs
reasonable over everything and owlrl over the schema triples only, and checks literals against
their datatypes itself (owlrl's dt-not-type, with owlrl's own converters). The union is owlrl's
closure (tests/unit/test_reasoning.py compares them on the real sources). When the input uses an OWL
term outside the few this was checked for (any that can make a graph inconsistent, among others),
owlrl alone reasons over everything, as before.

Whichever ran, we drop what carries no information (reflexive sameAs/subClassOf/…, literal
subjects, triples about blank nodes) and fail if a reasoner found an inconsistency.
"""

from __future__ import annotations

import owlrl
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_RL_Datatypes
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

from narcokg.build import schemarules
from narcokg.errors import InconsistencyError

ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

#: Predicates whose reflexive use is a tautology.
REFLEXIVE_NOISE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}

#: Types every resource gets under OWL RL; they say nothing.
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}

#: Namespaces of the built-in vocabularies: what OWL RL derives about their own terms
#: (e.g. "rdf:HTML a rdfs:Datatype") is true everywhere and tells a user nothing.
BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))

#: The OWL terms the two-reasoner closure was checked for: declarations, annotations and the
#: property axioms our ontology uses. None of them can make a graph inconsistent.
CHECKED_OWL_TERMS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.Ontology,
    OWL.Thing,
    OWL.inverseOf,
    OWL.TransitiveProperty,
    OWL.versionInfo,
    OWL.versionIRI,
    OWL.deprecated,
}

#: Predicates of schema statements: owlrl reasons over these (and the typing of terms as
#: classes or properties) to give what follows from the schema alone.
SCHEMA_PREDICATES = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}


def infer(asserted) -> Graph:
    """Return the triples OWL RL entails from ``asserted`` (a graph or a set of triples) that
    ``asserted`` does not hold."""
    try:
        import reasonable
    except ImportError:  # optional: without it the build reasons as it did, only slower
        reasonable = None
    if reasonable is None or not _checked_vocabulary(asserted):
        return clean(_owlrl_closure(asserted), asserted)
    _check_literals(asserted)
    schema = Graph(store=SimpleMemory())
    schema.addN(
        (s, p, o, schema)
        for s, p, o in asserted
        if p in SCHEMA_PREDICATES or (p == RDF.type and str(o).startswith(BUILTIN))
    )
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(asserted))
    closure = {(_plain(s), p, _plain(o)) for s, p, o in reasoner.reason()}
    from_schema = schemarules.closure(schema)
    closure.update(_owlrl_closure(schema) if from_schema is None else from_schema)
    return clean(closure, asserted)


def _owlrl_closure(asserted: Graph) -> Graph:
    work = Graph()
    for t in asserted:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    errors = sorted(str(o) for o in work.objects(None, ERRNS.error))
    if errors:
        raise InconsistencyError("OWL RL reasoning found: " + "; ".join(errors))
    return work


def _checked_vocabulary(graph) -> bool:
    """True when every OWL term the graph uses is one the two-reasoner closure was checked for."""
    owl = str(OWL)
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(owl) and term not in CHECKED_OWL_TERMS:
                return False
    return True


def _check_literals(graph) -> None:
    """owlrl's dt-not-type: a literal whose lexical form is not in its datatype's lexical space."""
    errors = []
    for literal in {o for _s, _p, o in graph}:
        if isinstance(literal, Literal) and literal.datatype in OWL_RL_Datatypes:
            try:
                AltXSDToPYTHON.get(literal.datatype, str)(str(literal))
            except ValueError:
                errors.append(
                    f"Lexical value of the literal '{literal}' does not match its datatype ({literal.datatype})"
                )
    if errors:
        raise InconsistencyError("OWL RL reasoning found: " + "; ".join(sorted(errors)))


def _plain(term):
    """reasonable gives every plain literal the type xsd:string: the same literal in RDF 1.1,
    a different one to rdflib, so it is written back plain."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def clean(closure, asserted: Graph) -> Graph:
    """The triples of ``closure`` (any iterable of triples) that ``asserted`` lacks and that say
    something: the cleaning ``infer`` applies, also to other reasoners' closures (benchmarks).
    The graph is a plain triple set (rdflib's SimpleMemory): no contexts to keep, adds ~2x faster."""
    kept = []
    known = asserted if isinstance(asserted, (set, frozenset)) else set(asserted)
    for s, p, o in closure:
        if (s, p, o) in known:
            continue
        if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
            continue
        if str(s).startswith(BUILTIN):
            continue
        if p in REFLEXIVE_NOISE and s == o:
            continue
        if p == RDF.type and o in TRIVIAL_TYPES:
            continue
        kept.append((s, p, o))
    inferred = Graph(store=SimpleMemory())
    inferred.addN((s, p, o, inferred) for s, p, o in kept)
    return inferred
