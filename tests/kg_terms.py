"""IRIs the tests name, as rdflib terms: the knowledge graph's base and ontology, the Data Cube
vocabulary, and entities every build holds."""

from __future__ import annotations

from rdflib import Namespace, URIRef

B = "https://w3id.org/narcokg/"
NKG = Namespace(B + "ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
BNN = URIRef(B + "id/organisation/bnn")
IDN = URIRef(B + "id/state/IDN")
MOU = URIRef(B + "id/agreement/mou-indonesia-fiji-2015")
DATASET = URIRef(B + "id/dataset/drug-cases-2018-2023")
