"""The source ledger (triples/ledger/, graph/ledger): every non-empty line of the five source texts
is accounted for by a passage that names the resources encoding it or why it states no fact."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest
from rdflib import RDF, RDFS, Namespace, URIRef

from narcokg.config import BASE
from conftest import ROOT

NKG = Namespace(BASE + "ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ID = BASE + "id/"
SEEDS = ROOT.parent / "shared" / "seeds"
SLUGS = ["polri-asean", "nainggolan-2024", "bnn-timor-leste", "rasyid-ramadhan", "indonesia-unodc-cp"]
REASON = ID + "no-fact-reason/"
REASONS = {
    REASON + r for r in ["heading", "front-matter", "keywords", "theory", "method", "rhetoric", "layout", "todo"]
}
# Passages that state something not yet encoded. The target is 0; lower this as they are encoded.
TODO_CEILING = 200


def digest(lines: list[str], start: int, end: int) -> str:
    """What nkg:textDigest holds: SHA-256 of the lines joined by a line feed, first 12 hex digits."""
    return hashlib.sha256("\n".join(lines[start - 1 : end]).encode("utf-8")).hexdigest()[:12]


def source_lines(built, slug: str) -> list[str]:
    reference = built.dataset.graph(URIRef(BASE + "graph/reference"))
    name = reference.value(URIRef(ID + "source/" + slug), DCTERMS.identifier)
    assert name is not None, slug
    return (SEEDS / str(name)).read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def ledger(built):
    return built.dataset.graph(URIRef(BASE + "graph/ledger"))


def entries(ledger, slug):
    doc = URIRef(ID + "source/" + slug)
    out = []
    for e in ledger.subjects(NKG.ledgerOf, doc):
        out.append((e, int(ledger.value(e, NKG.startLine)), int(ledger.value(e, NKG.endLine))))
    return sorted(out, key=lambda t: (t[1], t[2], str(t[0])))


def test_the_sources_are_where_the_ledger_reads_them():
    assert len(list(SEEDS.glob("*.txt"))) == 5, SEEDS


@pytest.mark.parametrize("slug", SLUGS)
def test_the_ledger_covers_every_non_empty_line(built, ledger, slug):
    lines = source_lines(built, slug)
    covered = set()
    for _e, start, end in entries(ledger, slug):
        assert 1 <= start <= end <= len(lines), (_e, start, end)
        covered.update(range(start, end + 1))
    missing = [n for n, text in enumerate(lines, 1) if text.strip() and n not in covered]
    assert missing == [], f"{slug}: lines not in the ledger: {missing}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_digest_matches_the_current_text(built, ledger, slug):
    lines = source_lines(built, slug)
    wrong = [
        (str(e), start, end)
        for e, start, end in entries(ledger, slug)
        if str(ledger.value(e, NKG.textDigest)) != digest(lines, start, end)
    ]
    assert wrong == []


def test_every_passage_starts_and_ends_on_text(built, ledger):
    for slug in SLUGS:
        lines = source_lines(built, slug)
        for e, start, end in entries(ledger, slug):
            assert lines[start - 1].strip() and lines[end - 1].strip(), (str(e), start, end)


def test_every_entry_names_what_encodes_it_or_one_reason(ledger):
    for e in set(ledger.subjects(RDF.type, NKG.LedgerEntry)):
        encoded = list(ledger.objects(e, NKG.encodes))
        reasons = [str(r) for r in ledger.objects(e, NKG.noFactReason)]
        assert encoded or reasons, e
        assert len(reasons) <= 1 and set(reasons) <= REASONS, (e, reasons)
        if REASON + "todo" in reasons:
            assert ledger.value(e, RDFS.comment) is not None, f"{e}: a todo says what is not encoded"


def test_every_iri_the_ledger_names_exists_in_the_graph(built, ledger):
    described = {
        s
        for g in built.dataset.graphs()
        if g.identifier != ledger.identifier
        for s in g.subjects(None, None)
        if isinstance(s, URIRef)
    }
    missing = sorted({str(o) for o in ledger.objects(None, NKG.encodes)} - {str(s) for s in described})
    assert missing == []


@pytest.mark.parametrize("slug", SLUGS)
def test_every_entity_of_a_source_graph_is_named_by_its_ledger(built, ledger, slug):
    doc = URIRef(ID + "source/" + slug)
    named = {o for e, _s, _e in entries(ledger, slug) for o in ledger.objects(e, NKG.encodes)}
    graph = built.dataset.graph(URIRef(BASE + "graph/" + slug))
    entities = {s for s in graph.subjects(None, None) if isinstance(s, URIRef) and str(s).startswith(ID)}
    assert entities, slug
    assert doc in named or doc not in entities
    assert sorted(str(s) for s in entities - named) == []


def test_todo_passages_are_counted_and_do_not_grow(ledger):
    counts = Counter()
    for e in ledger.subjects(RDF.type, NKG.LedgerEntry):
        for r in ledger.objects(e, NKG.noFactReason):
            counts[str(r).rsplit("/", 1)[1]] += 1
        if ledger.value(e, NKG.encodes) is not None:
            counts["encoded"] += 1
    print("ledger entries:", dict(sorted(counts.items())))
    assert counts["encoded"] > 0
    assert counts["todo"] <= TODO_CEILING, f"{counts['todo']} passages still to encode"


def printed(text: str) -> str:
    """Source text as a claim quotes it: markdown emphasis dropped, a word broken by a hyphen at a
    line end kept with its hyphen, whitespace collapsed."""
    text = re.sub(r"-\n+(?=[a-z])", "-", text.replace("*", ""))
    return " ".join(text.split())


def test_every_claim_text_is_printed_in_its_document(built):
    """nkg:claimText holds the source's own words (never a translation); a gloss is ours, in English."""
    texts = {slug: printed("\n".join(source_lines(built, slug))) for slug in SLUGS}
    ledger = built.dataset.graph(URIRef(BASE + "graph/ledger"))
    # A paragraph that a footnote interrupts on the page is quoted without the footnote.
    without_notes = {}
    for slug in SLUGS:
        lines = source_lines(built, slug)
        for e, start, end in entries(ledger, slug):
            if re.match(r"footnotes? \d", str(ledger.value(e, RDFS.comment) or "")):
                lines[start - 1 : end] = [""] * (end - start + 1)
        without_notes[slug] = printed("\n".join(lines))
    seen = 0
    for g in built.dataset.graphs():
        for claim in g.subjects(RDF.type, NKG.Claim):
            doc = g.value(claim, NKG.claimant)
            slug = str(doc).rsplit("/", 1)[1]
            for text in g.objects(claim, NKG.claimText):
                seen += 1
                assert printed(str(text)) in texts[slug] or printed(str(text)) in without_notes[slug], (
                    str(claim),
                    str(text)[:80],
                )
            for gloss in g.objects(claim, NKG.gloss):
                assert gloss.language == "en", claim
                assert printed(str(gloss)) not in texts[slug], f"{claim}: a gloss that the source prints is a claimText"
    assert seen > 40
