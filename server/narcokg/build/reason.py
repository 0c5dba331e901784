"""OWL RL closure of ontology + data, keeping only what is new and meaningful.

owlrl runs on a copy, without axiomatic triples or datatype axioms (they add thousands of
triples about RDF itself that no user asks for). We drop what carries no information
(reflexive sameAs/subClassOf/…, literal subjects, triples about blank nodes) and fail if
owlrl reported an inconsistency.
"""

from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace

from narcokg.errors import InconsistencyError

ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

#: Predicates whose reflexive use is a tautology.
REFLEXIVE_NOISE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}

#: Types every resource gets under OWL RL; they say nothing.
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}

#: Namespaces of the built-in vocabularies: what OWL RL derives about their own terms
#: (e.g. "rdf:HTML a rdfs:Datatype") is true everywhere and tells a user nothing.
BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))


def infer(asserted: Graph) -> Graph:
    """Return the triples OWL RL entails from ``asserted`` that ``asserted`` does not hold."""
    work = Graph()
    for t in asserted:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)

    errors = sorted(str(o) for o in work.objects(None, ERRNS.error))
    if errors:
        raise InconsistencyError("OWL RL reasoning found: " + "; ".join(errors))

    return clean(work, asserted)


def clean(closure, asserted: Graph) -> Graph:
    """The triples of ``closure`` (any iterable of triples) that ``asserted`` lacks and that say
    something: the cleaning ``infer`` applies, also to other reasoners' closures (benchmarks)."""
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) in asserted:
            continue
        if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
            continue
        if str(s).startswith(BUILTIN):
            continue
        if p in REFLEXIVE_NOISE and s == o:
            continue
        if p == RDF.type and o in TRIVIAL_TYPES:
            continue
        inferred.add((s, p, o))
    return inferred
