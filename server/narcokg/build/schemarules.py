"""What OWL RL entails from a schema alone (the scm-* rules of OWL 2 RL, Table 9), computed as
closures over dictionaries rather than by owlrl's rule loop.

Why: owlrl took ~0.45 s over the 368 schema triples of the real sources, a tenth of the build,
iterating every rule over every triple until nothing changed. The same rules as set closures take
a few milliseconds. Only schemas whose entailments are exactly these rules are handled here (see
``closure``); anything else returns None and owlrl reasons as before. tests/unit/test_reasoning.py
compares the result with owlrl's on the real sources and on generated schemas and data.

The rules kept, as owlrl applies them: scm-cls (every owl:Class is a subclass of owl:Thing),
scm-sco and scm-spo (transitivity), scm-eqc2 and scm-eqp2 (mutual subclasses or subproperties
are equivalent), scm-dom1/2 and scm-rng1/2 (domains and ranges climb the class hierarchy and
descend the property hierarchy). The reflexive triples owlrl also writes (c subClassOf c …) and
those about built-in terms carry nothing and are left out, as the build's cleaning drops them.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

#: Namespaces of the built-in vocabularies (the build's ``reason.BUILTIN``).
BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))

_HIERARCHY = {RDFS.subClassOf, RDFS.subPropertyOf}


def _ours(term) -> bool:
    return isinstance(term, URIRef) and not str(term).startswith(BUILTIN)


def _handled(schema: Graph) -> bool:
    """True when no other OWL RL rule can fire on these triples: every subject is one of our
    IRIs (a built-in subject, e.g. a domain given to rdfs:subClassOf, lets the property rules
    read the schema as data); properties are related only to our properties (an inverse of
    rdfs:subClassOf would turn every subclass triple around); no equivalence is asserted."""
    for s, p, o in schema:
        if not _ours(s):
            return False
        if p in (RDFS.subPropertyOf, OWL.inverseOf) and not _ours(o):
            return False
        if p not in _HIERARCHY and p not in (RDFS.domain, RDFS.range, OWL.inverseOf, RDF.type):
            return False
        if p == RDF.type and not str(o).startswith(BUILTIN):
            return False
        if o == OWL.Nothing:  # owl:Nothing is below every class: a domain of it would be all
            return False
    return True


def _transitive(direct: dict) -> dict:
    """Every node's strict ancestors over ``direct`` (node -> set of parents); a node reached
    through a cycle is its own ancestor, as owlrl's rule leaves it (and the cleaning drops it)."""
    out: dict = {}
    for start in direct:
        seen: set = set()
        todo = list(direct[start])
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(direct.get(node, ()))
        out[start] = seen
    return out


def _index(schema: Graph) -> tuple[dict, dict, dict, dict]:
    """Direct superclasses (with owl:Thing above every owl:Class, scm-cls), superproperties,
    domains and ranges, each as node -> set."""
    supers: dict = defaultdict(set)
    superprops: dict = defaultdict(set)
    domains: dict = defaultdict(set)
    ranges: dict = defaultdict(set)
    for s, p, o in schema:
        if p == RDF.type and o == OWL.Class:
            supers[s].add(OWL.Thing)
        elif p == RDFS.subClassOf:
            supers[s].add(o)
        elif p == RDFS.subPropertyOf:
            superprops[s].add(o)
        elif p == RDFS.domain:
            domains[s].add(o)
        elif p == RDFS.range:
            ranges[s].add(o)
    return supers, superprops, domains, ranges


def _hierarchy(above: dict, sub, equivalent) -> set:
    """scm-sco/scm-spo (every strict ancestor) and scm-eqc2/scm-eqp2 (mutual ones are equivalent)."""
    out: set = set()
    for node, ancestors in above.items():
        for other in ancestors:
            if other != node:
                out.add((node, sub, other))
                if node in above.get(other, ()):
                    out.add((node, equivalent, other))
    return out


def _inherited(predicate, asserted: dict, classes: dict, props: dict) -> set:
    """scm-dom2/rng2: a property has its superproperties' domains (ranges); scm-dom1/rng1: a
    class given is also each of its superclasses."""
    out: set = set()
    for q in set(asserted) | set(props):
        given = set(asserted.get(q, ()))
        for r in props.get(q, ()):
            given |= asserted.get(r, set())
        for c in given:
            out.add((q, predicate, c))
            out.update((q, predicate, d) for d in classes.get(c, ()))
    return out


def closure(schema: Graph) -> set | None:
    """The triples OWL RL entails from ``schema`` (reflexive ones left out), or None when
    ``schema`` is not one this module vouches for. scm-op and scm-dp give only reflexive triples."""
    if not _handled(schema):
        return None
    supers, superprops, domains, ranges = _index(schema)
    classes = _transitive(supers)
    props = _transitive(superprops)
    out = _hierarchy(classes, RDFS.subClassOf, OWL.equivalentClass)
    out |= _hierarchy(props, RDFS.subPropertyOf, OWL.equivalentProperty)
    out |= _inherited(RDFS.domain, domains, classes, props)
    out |= _inherited(RDFS.range, ranges, classes, props)
    return out
