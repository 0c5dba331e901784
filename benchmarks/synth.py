"""A seeded generator of synthetic N-Quads shaped like the narcokg knowledge graph.

Why synthetic: the real graph has a few thousand triples, too few to show how each query's
latency grows. The generator writes what a build would produce for a much larger corpus: the
same ontology terms, the same ``id/{kind}/{slug}`` IRI scheme, one named graph per (synthetic)
source document plus ``graph/reference`` and ``graph/inferred``, labels in @en and @id, and
the inferred triples the OWL RL step adds (super-types, inverse properties, transitive
sub-organisations, PROV/SEM/schema.org views of events), in roughly the real proportions
(about half of the real dump's data quads are inferred). The ontology and shapes graphs are
not reproduced.

The stable IRIs every mix query names (``id/state/IDN``, ``id/organisation/bnn``) exist in every
size, with their real labels. Indonesia is the hub, as in the real data: one party of every
agreement is Indonesian, and a larger share of agencies sit under Indonesia.

Same seed and size → the same file, byte for byte (``random.Random(seed)``, no clock, no set
iteration order).
"""

from __future__ import annotations

import random
from pathlib import Path

#: Bump when the shape of the output changes (it keys the cached files in benchmarks/out/).
VERSION = 3

B = "https://w3id.org/narcokg/"
NKG = B + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
FOAF = "http://xmlns.com/foaf/0.1/"
QB = "http://purl.org/linked-data/cube#"
SDMX_M = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_D = "http://purl.org/linked-data/sdmx/2009/dimension#"
XSD = "http://www.w3.org/2001/XMLSchema#"

G_REF = B + "graph/reference"
G_INF = B + "graph/inferred"

AGREEMENT_CLASSES = [
    ("MemorandumOfUnderstanding", "MoU", "Nota Kesepahaman", 6),
    ("LetterOfIntent", "Letter of Intent", "Surat Pernyataan Kehendak", 2),
    ("Declaration", "Declaration", "Deklarasi", 1),
    ("CountryProgramme", "Country Programme", "Program Negara", 1),
]
AGREEMENT_SUPERTYPES = [NKG + "Agreement", SCHEMA + "CreativeWork", PROV + "Entity", DCT + "BibliographicResource"]
ORG_SUPERTYPES = [
    NKG + "Organisation",
    NKG + "Actor",
    SCHEMA + "Organization",
    SCHEMA + "GovernmentOrganization",
    FOAF + "Agent",
    PROV + "Agent",
    ORG + "Organization",
    ORG + "FormalOrganization",
]
STATE_SUPERTYPES = [NKG + "Actor", FOAF + "Agent", PROV + "Agent", ORG + "FormalOrganization"]
EVENT_SUPERTYPES = [NKG + "Event", SCHEMA + "Event", PROV + "Activity", SEM + "Event"]
TOPICS = [
    "illicit-trafficking",
    "precursors",
    "demand-reduction",
    "alternative-development",
    "border-protection",
    "drug-control",
    "money-laundering",
    "law-enforcement",
    "information-exchange",
    "capacity-building",
    "rehabilitation",
    "maritime-security",
]
SUBSTANCES = [
    ("methamphetamine", "methamphetamine", "metamfetamin"),
    ("cocaine", "cocaine", "kokain"),
    ("heroin", "heroin", "heroin"),
    ("cannabis", "cannabis", "ganja"),
    ("mdma", "MDMA", "ekstasi"),
    ("kratom", "kratom", "kratom"),
    ("methylone", "methylone", "metilon"),
    ("lsd", "LSD", "LSD"),
    ("ketamine", "ketamine", "ketamin"),
    ("precursors", "precursor chemicals", "prekursor"),
]
AGENCY_KINDS = [
    ("National Narcotics Board", "Badan Narkotika", "NB"),
    ("Narcotics Directorate", "Direktorat Reserse Narkoba", "DN"),
    ("Customs Office", "Kantor Bea Cukai", "CO"),
    ("Police Command", "Komando Kepolisian", "PC"),
    ("Ministry of Health", "Kementerian Kesehatan", "MH"),
    ("Coast Guard", "Penjaga Pantai", "CG"),
    ("Narcotics Laboratory", "Laboratorium Narkotika", "NL"),
    ("Immigration Office", "Kantor Imigrasi", "IO"),
    ("Regional Office", "Kantor Wilayah", "RO"),
    ("Maritime Police", "Polisi Perairan", "MP"),
]
MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def _lit(text: str, lang: str | None = None, dtype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{esc}"@{lang}'
    if dtype:
        return f'"{esc}"^^<{dtype}>'
    return f'"{esc}"'


class _Writer:
    """Counts and writes quads; ``q`` takes IRIs (strings) or ready-made literal terms."""

    def __init__(self, out):
        self.out = out
        self.count = 0
        self._buf: list[str] = []

    def q(self, s: str, p: str, o: str, g: str, literal: bool = False) -> None:
        obj = o if literal else f"<{o}>"
        self._buf.append(f"<{s}> <{p}> {obj} <{g}> .\n")
        self.count += 1
        if len(self._buf) >= 20000:
            self.flush()

    def lit(self, s: str, p: str, text: str, g: str, lang: str | None = None, dtype: str | None = None) -> None:
        self.q(s, p, _lit(text, lang, dtype), g, literal=True)

    def flush(self) -> None:
        self.out.write("".join(self._buf))
        self._buf.clear()


class _Generator:
    def __init__(self, w: _Writer, seed: int, triples: int):
        self.w = w
        self.rng = random.Random(seed)
        self.target = triples
        self.states: list[str] = []  # state IRIs; [0] is Indonesia
        self.state_names: dict[str, str] = {}
        self.agencies: dict[str, list[tuple[str, int]]] = {}  # state → [(agency IRI, depth)]
        self.ancestors: dict[str, list[str]] = {}  # agency → chain of parents up to the state
        self.places: dict[str, list[str]] = {}
        self.sources: list[tuple[str, str]] = []  # (source IRI, graph IRI)
        self.n = {"agency": 0, "agreement": 0, "seizure": 0, "observation": 0, "dataset": 0, "place": 0}

    # Reference data ------------------------------------------------------------------
    def reference(self) -> None:
        w = self.w
        n_states = 60 if self.target < 300_000 else 200
        codes = ["IDN", "AUS", "MYS", "SGP", "THA", "PHL", "VNM", "TLS", "CHN", "IND", "FJI"]
        while len(codes) < n_states:
            code = "X" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
            if code not in codes:
                codes.append(code)
        for i, code in enumerate(codes):
            s = f"{B}id/state/{code}"
            name = "Indonesia" if code == "IDN" else f"State {code}"
            self.states.append(s)
            self.state_names[s] = name
            w.q(s, RDF_TYPE, NKG + "State", G_REF)
            w.lit(s, RDFS + "label", name, G_REF, "en")
            w.lit(s, RDFS + "label", name if code == "IDN" else f"Negara {code}", G_REF, "id")
            w.lit(s, NKG + "isoAlpha3", code, G_REF)
            w.q(s, NKG + "territory", f"{B}id/country/{code}", G_REF)
            for t in STATE_SUPERTYPES:
                w.q(s, RDF_TYPE, t, G_INF)
            self.agencies[s] = []
            self.places[s] = []
        for slug in TOPICS:
            c = f"{B}id/topic/{slug}"
            w.q(c, RDF_TYPE, SKOS + "Concept", G_REF)
            w.lit(c, RDFS + "label", slug.replace("-", " "), G_REF, "en")
            w.q(c, SKOS + "inScheme", f"{B}id/scheme/topics", G_REF)
        for slug, en, idn in SUBSTANCES:
            c = f"{B}id/substance/{slug}"
            w.q(c, RDF_TYPE, SKOS + "Concept", G_REF)
            w.lit(c, RDFS + "label", en, G_REF, "en")
            w.lit(c, RDFS + "label", idn, G_REF, "id")
            w.q(c, SKOS + "inScheme", f"{B}id/scheme/substances", G_REF)
        idn = self.states[0]
        self._agency(
            idn, slug="bnn", labels=("National Narcotics Board", "Badan Narkotika Nasional"), alt="BNN", parent=idn
        )
        for _ in range(len(self.states)):
            self._place(self.rng.choice(self.states))
        self.places[f"{B}id/state/FJI"] or self._place(f"{B}id/state/FJI")
        n_sources = max(5, self.target // 20_000)
        for i in range(n_sources):
            slug = f"synthetic-source-{i:04d}"
            src, graph = f"{B}id/source/{slug}", f"{B}graph/{slug}"
            self.sources.append((src, graph))
            w.q(src, RDF_TYPE, NKG + "SourceDocument", G_REF)
            w.lit(src, RDFS + "label", f"Synthetic source document {i}", G_REF, "en")
            w.lit(src, RDFS + "label", f"Dokumen sumber sintetis {i} tentang kerja sama narkotika", G_REF, "id")
            w.q(src, RDF_TYPE, PROV + "Entity", G_INF)

    def _agency(
        self,
        state: str,
        slug: str | None = None,
        labels: tuple[str, str] | None = None,
        alt: str | None = None,
        parent: str | None = None,
    ) -> str:
        w, rng = self.w, self.rng
        self.n["agency"] += 1
        if parent is None:
            pool = self.agencies[state]
            parent = state if not pool or rng.random() < 0.3 else rng.choice(pool)[0]
        if slug is None:
            kind_en, kind_id, acr = rng.choice(AGENCY_KINDS)
            num = self.n["agency"]
            slug = f"{acr.lower()}-{num}"
            where = self.state_names[state]
            labels = (f"{kind_en} {num} of {where}", f"{kind_id} {num} {where}")
            alt = f"{acr}{num}"
        a = f"{B}id/organisation/{slug}"
        w.q(a, RDF_TYPE, NKG + "GovernmentAgency", G_REF)
        w.lit(a, RDFS + "label", labels[0], G_REF, "en")
        w.lit(a, RDFS + "label", labels[1], G_REF, "id")
        w.lit(a, SKOS + "altLabel", alt, G_REF)
        w.q(a, ORG + "subOrganizationOf", parent, G_REF)
        for t in ORG_SUPERTYPES:
            w.q(a, RDF_TYPE, t, G_INF)
        w.q(parent, ORG + "hasSubOrganization", a, G_INF)
        chain = [parent] + (self.ancestors.get(parent, []) if parent != state else [])
        self.ancestors[a] = chain
        for up in chain:
            w.q(a, ORG + "transitiveSubOrganizationOf", up, G_INF)
            w.q(up, ORG + "transitiveHasSubOrganization", a, G_INF)
        self.agencies[state].append((a, len(chain)))
        return a

    def _place(self, state: str) -> str:
        w = self.w
        self.n["place"] += 1
        num = self.n["place"]
        p = f"{B}id/place/place-{num}"
        code = state.rsplit("/", 1)[1]
        w.q(p, RDF_TYPE, NKG + "Region", G_REF)
        w.lit(p, RDFS + "label", f"Place {num}", G_REF, "en")
        w.lit(p, RDFS + "label", f"Tempat {num}", G_REF, "id")
        w.q(p, NKG + "locatedIn", f"{B}id/country/{code}", G_REF)
        w.q(p, SCHEMA + "containedInPlace", f"{B}id/country/{code}", G_INF)
        self.places[state].append(p)
        return p

    # Facts of the source documents -----------------------------------------------------
    def _actor(self, state: str) -> str:
        """The state itself or one of its agencies (creating one now and then)."""
        rng = self.rng
        pool = self.agencies[state]
        if rng.random() < 0.3:
            return state
        if not pool or rng.random() < 0.15:
            return self._agency(state)
        return rng.choice(pool)[0]

    def _date(self) -> tuple[int, int, int]:
        return self.rng.randint(1995, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)

    def _provenance(self, s: str, g: str, src: str, where: str, quote: str) -> None:
        w = self.w
        w.q(s, PROV + "wasDerivedFrom", src, g)
        w.lit(s, NKG + "sourceLocation", where, g)
        w.lit(s, NKG + "evidence", quote, g, "id")
        w.lit(s, SKOS + "note", quote, G_INF, "id")

    def agreement(self, fixed: bool = False) -> None:
        """One agreement with its parties and signing(s); ``fixed``: the contract's stable MoU with Fiji."""
        w, rng = self.w, self.rng
        self.n["agreement"] += 1
        num = self.n["agreement"]
        src, g = rng.choice(self.sources)
        cls, en_kind, id_kind, _ = rng.choices(AGREEMENT_CLASSES, weights=[c[3] for c in AGREEMENT_CLASSES])[0]
        other = rng.choice(self.states[1:])
        year, month, day = self._date()
        idn = self.states[0]
        slug = f"{cls.lower()}-{num}-{year}"
        if fixed:
            cls, en_kind, id_kind = "MemorandumOfUnderstanding", "MoU", "Nota Kesepahaman"
            other, (year, month, day) = f"{B}id/state/FJI", (2015, 10, 13)
            slug = "mou-indonesia-fiji-2015"
        a = f"{B}id/agreement/{slug}"
        oname = self.state_names[other]
        w.q(a, RDF_TYPE, NKG + cls, g)
        w.lit(a, RDFS + "label", f"{en_kind} between Indonesia and {oname} ({year}) no. {num}", g, "en")
        w.lit(a, RDFS + "label", f"{id_kind} Indonesia–{oname} ({year}) no. {num}", g, "id")
        w.lit(
            a,
            DCT + "title",
            f"{en_kind} on cooperation in combating illicit trafficking in narcotic drugs, "
            f"psychotropic substances and precursors between Indonesia and {oname}, no. {num}",
            g,
            "en",
        )
        bnn = f"{B}id/organisation/bnn"
        ours = bnn if fixed or rng.random() < 0.05 else self._actor(idn)
        parties = [ours, self._actor(other)]
        if fixed:
            parties[1] = self._agency(
                other,
                slug="fiji-police-force",
                labels=("Fiji Police Force", "Kepolisian Fiji"),
                alt="FPF",
                parent=other,
            )
        elif rng.random() < 0.1:
            parties.append(self._actor(rng.choice(self.states[1:])))
        parties = list(dict.fromkeys(parties))
        for p in parties:
            w.q(a, NKG + "party", p, g)
            w.q(p, NKG + "partyTo", a, G_INF)
            w.q(a, NKG + "participant", p, G_INF)
        w.q(a, NKG + "counterpartState", other, g)
        w.lit(a, NKG + "rowNumber", str(num), g, dtype=XSD + "integer")
        subjects = rng.sample(TOPICS, rng.randint(1, 3))
        for t in subjects:
            w.q(a, NKG + "subject", f"{B}id/topic/{t}", g)
            w.q(a, DCT + "subject", f"{B}id/topic/{t}", G_INF)
        self._provenance(a, g, src, f"Table 2, row {num}", f"{num} {oname} {id_kind} kerja sama narkotika")
        for t in AGREEMENT_SUPERTYPES:
            w.q(a, RDF_TYPE, t, G_INF)
        for k in range(1 if fixed or rng.random() < 0.85 else 2):
            self._signing(a, slug, k, g, src, parties, (year, month, day), other)

    def _signing(
        self,
        agreement: str,
        slug: str,
        k: int,
        g: str,
        src: str,
        parties: list[str],
        date: tuple[int, int, int],
        other: str,
    ) -> None:
        w, rng = self.w, self.rng
        e = f"{B}id/event/signing-{slug}" + (f"-{k}" if k else "")
        state = rng.choice([self.states[0], other])
        place = rng.choice(self.places[state]) if self.places[state] and rng.random() < 0.8 else self._place(state)
        year, month, day = date
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        w.q(e, RDF_TYPE, NKG + "SigningEvent", g)
        w.lit(e, RDFS + "label", f"Signing of agreement {slug}", g, "en")
        w.lit(e, RDFS + "label", f"Penandatanganan perjanjian {slug}", g, "id")
        w.lit(e, NKG + "date", iso, g, dtype=XSD + "date")
        w.lit(e, DCT + "date", iso, G_INF, dtype=XSD + "date")
        w.q(e, NKG + "place", place, g)
        w.q(e, SCHEMA + "location", place, G_INF)
        w.q(e, SEM + "hasPlace", place, G_INF)
        w.lit(e, NKG + "verbatim", f"{day:02d}/{month:02d}/{year}", g)
        w.q(agreement, NKG + "signing", e, g)
        w.q(e, NKG + "signingOf", agreement, G_INF)
        for p in parties:
            w.q(e, NKG + "signatory", p, g)
            w.q(e, PROV + "wasAssociatedWith", p, G_INF)
            w.q(e, SEM + "hasActor", p, G_INF)
        self._provenance(e, g, src, "Table 2, column place and date", f"{day:02d}/{month:02d}/{year}")
        for t in EVENT_SUPERTYPES:
            w.q(e, RDF_TYPE, t, G_INF)

    def seizure(self) -> None:
        w, rng = self.w, self.rng
        self.n["seizure"] += 1
        num = self.n["seizure"]
        src, g = rng.choice(self.sources)
        idn = self.states[0]
        state = idn if rng.random() < 0.7 else rng.choice(self.states[1:])
        year, month, day = self._date()
        sub_slug, sub_en, sub_id = rng.choice(SUBSTANCES)
        kg = round(rng.uniform(0.01, 2000), 2)
        s = f"{B}id/seizure/seizure-{num}"
        qty = f"{B}id/quantity/seizure-{num}"
        place = rng.choice(self.places[state]) if self.places[state] else self._place(state)
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        w.q(s, RDF_TYPE, NKG + "DrugSeizure", g)
        w.lit(s, RDFS + "label", f"Seizure of {kg} kg of {sub_en}, {iso}", g, "en")
        w.lit(
            s,
            RDFS + "label",
            f"Pengungkapan kasus narkotika jenis {sub_id} {kg} kg, {day} {MONTHS_ID[month - 1]} {year}",
            g,
            "id",
        )
        agencies = {self._actor(state) for _ in range(rng.randint(1, 2))}
        for a in sorted(agencies):
            w.q(s, NKG + "conductedBy", a, g)
            w.q(a, NKG + "conducted", s, G_INF)
            w.q(s, PROV + "wasAssociatedWith", a, G_INF)
            w.q(s, SEM + "hasActor", a, G_INF)
        w.lit(s, NKG + "date", iso, g, dtype=XSD + "date")
        w.lit(s, DCT + "date", iso, G_INF, dtype=XSD + "date")
        w.q(s, NKG + "place", place, g)
        w.q(s, SCHEMA + "location", place, G_INF)
        w.q(s, SEM + "hasPlace", place, G_INF)
        w.q(s, NKG + "substance", f"{B}id/substance/{sub_slug}", g)
        w.q(s, NKG + "quantity", qty, g)
        self._provenance(
            s,
            g,
            src,
            "Introduction, paragraph on seizures",
            f"pengungkapan kasus narkotika jenis {sub_id} seberat {kg} kg",
        )
        for t in EVENT_SUPERTYPES + [NKG + "CrimeEvent"]:
            w.q(s, RDF_TYPE, t, G_INF)
        w.q(qty, RDF_TYPE, NKG + "Quantity", g)
        w.q(qty, RDF_TYPE, SCHEMA + "QuantitativeValue", G_INF)
        w.lit(qty, RDFS + "label", f"{kg} kg", g, "en")
        w.lit(qty, SCHEMA + "value", f"{kg}", g, dtype=XSD + "decimal")
        w.lit(qty, SCHEMA + "unitCode", "KGM", g)
        w.lit(qty, NKG + "verbatim", f"seberat {kg} kg", g)

    def dataset(self) -> None:
        """One statistics table: a qb:DataSet and one observation per year."""
        w, rng = self.w, self.rng
        self.n["dataset"] += 1
        num = self.n["dataset"]
        src, g = rng.choice(self.sources)
        first = rng.randint(2000, 2018)
        ds = f"{B}id/dataset/drug-cases-{num}"
        w.q(ds, RDF_TYPE, QB + "DataSet", g)
        w.lit(ds, RDFS + "label", f"Drug cases and suspects, table {num}", g, "en")
        w.lit(ds, RDFS + "label", f"Data pengungkapan tindak pidana narkotika, tabel {num}", g, "id")
        w.q(ds, PROV + "wasDerivedFrom", src, g)
        for row, year in enumerate(range(first, first + rng.randint(4, 8)), start=1):
            self.n["observation"] += 1
            o = f"{B}id/observation/drug-cases-{num}-{year}"
            foreign = rng.randint(0, 500)
            domestic = rng.randint(1000, 60000)
            w.q(o, RDF_TYPE, QB + "Observation", g)
            w.q(o, QB + "dataSet", ds, g)
            w.lit(o, RDFS + "label", f"Drug cases and suspects, table {num}, {year}", g, "en")
            w.lit(o, RDFS + "label", f"Kasus dan tersangka, tabel {num}, {year}", g, "id")
            w.lit(o, NKG + "refYear", str(year), g, dtype=XSD + "gYear")
            w.lit(o, SDMX_D + "refPeriod", str(year), G_INF, dtype=XSD + "gYear")
            for prop, value in (
                ("caseCount", domestic + foreign),
                ("suspectCount", domestic + foreign),
                ("foreignSuspectCount", foreign),
                ("domesticSuspectCount", domestic),
            ):
                w.lit(o, NKG + prop, str(value), g, dtype=XSD + "integer")
            for value in sorted({domestic + foreign, foreign, domestic}):
                w.lit(o, SDMX_M + "obsValue", str(value), G_INF, dtype=XSD + "integer")
            w.lit(o, NKG + "rowNumber", str(row), g, dtype=XSD + "integer")
            self._provenance(
                o, g, src, f"Table {num}, row {row}", f"{row} {year} {domestic + foreign} {foreign} {domestic}"
            )

    def run(self) -> dict:
        self.reference()
        self.agreement(fixed=True)
        rng = self.rng
        kinds = [self.agreement, self.seizure, self.dataset, self._agency_somewhere, self._place_somewhere]
        weights = [10, 8, 1.2, 3, 1]
        while self.w.count < self.target:
            rng.choices(kinds, weights=weights)[0]()
        self.w.flush()
        return dict(
            self.n,
            quads=self.w.count,
            states=len(self.states),
            sources=len(self.sources),
            agencies_under_idn=len(self.agencies[self.states[0]]),
        )

    def _agency_somewhere(self) -> None:
        # Indonesia is the hub: a quarter of new agencies are Indonesian.
        state = self.states[0] if self.rng.random() < 0.25 else self.rng.choice(self.states[1:])
        self._agency(state)

    def _place_somewhere(self) -> None:
        self._place(self.states[0] if self.rng.random() < 0.3 else self.rng.choice(self.states[1:]))


def generate(path: Path, triples: int, seed: int = 20240601) -> dict:
    """Write about ``triples`` quads (never fewer) to ``path`` as N-Quads; counts per kind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        stats = _Generator(_Writer(out), seed, triples).run()
    tmp.replace(path)
    return stats


def dump_path(out_dir: Path, triples: int, seed: int) -> Path:
    """Where the dump of this size and seed is cached (the name changes with VERSION)."""
    return out_dir / f"synthetic-{triples}-s{seed}-v{VERSION}.nq"


def ensure(out_dir: Path, triples: int, seed: int, say=print) -> Path:
    """The dump of this size, generated unless a complete one is already cached."""
    path = dump_path(out_dir, triples, seed)
    if not path.is_file():
        import time

        t0 = time.perf_counter()
        stats = generate(path, triples, seed)
        say(
            f"generated {path.name}: {stats['quads']:,} quads in {time.perf_counter() - t0:.1f} s "
            f"({stats['agreement']:,} agreements, {stats['agency']:,} agencies, {stats['seizure']:,} seizures, "
            f"{stats['observation']:,} observations)"
        )
    return path


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="write a synthetic narcokg-shaped N-Quads dump")
    ap.add_argument("triples", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    print(generate(args.out, args.triples, args.seed))
