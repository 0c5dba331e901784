"""The words of the HTML chrome and of the browse, search, download and entity pages."""

from __future__ import annotations

from http import HTTPStatus

from narcokg.texts.table import both as _e

TEXT: dict[str, dict[str, str | None]] = {
    # Chrome
    "chrome.skip": _e("Skip to content", "Langsung ke isi"),
    "chrome.nav": _e("Main", "Utama"),
    "chrome.language": _e("Language", "Bahasa"),
    "chrome.browse": _e("Browse", "Jelajahi"),
    "chrome.search": _e("Search", "Cari"),
    "chrome.ontology": _e("Ontology", "Ontologi"),
    "chrome.validation": _e("Validation", "Validasi"),
    "chrome.download": _e("Download", "Unduh"),
    "chrome.footer": _e(
        "narcokg: Indonesia’s international cooperation against narcotics, as linked data.",
        "narcokg: kerja sama internasional Indonesia melawan narkotika, sebagai data tertaut.",
    ),
    "chrome.license": _e("Data CC BY 4.0", "Data CC BY 4.0"),
    "chrome.api": _e("API (OpenAPI)", "API (OpenAPI)"),
    # Entity pages
    "entity.types": _e("Type", "Jenis"),
    "entity.inferred_types": _e("Inferred types", "Jenis hasil inferensi"),
    "entity.inferred_statements": _e("Inferred statements", "Pernyataan hasil inferensi"),
    "entity.inferred_incoming": _e("Inferred incoming links", "Tautan masuk hasil inferensi"),
    "entity.inferred": _e("inferred", "inferensi"),
    "entity.inferred_hint": _e(
        "added by OWL RL reasoning, not stated by a source",
        "ditambahkan oleh penalaran OWL RL, tidak dinyatakan oleh sumber",
    ),
    "entity.source": _e("source", "sumber"),
    "entity.language": _e("language", "bahasa"),
    "entity.more": _e("and %d more", "dan %d lainnya"),
    "entity.count": _e("%d values — show", "%d nilai — tampilkan"),
    "entity.part_of": _e("Part of dataset", "Bagian dari dataset"),
    "entity.is_conflict": _e("This is a source conflict", "Ini adalah konflik sumber"),
    "entity.is_conflict_hint": _e(
        "The source contradicts itself or its references here; the data keeps what the source says.",
        "Sumber bertentangan dengan dirinya sendiri atau rujukannya di sini; data menyimpan apa yang dikatakan sumber.",
    ),
    "entity.conflicts": _e("Source conflict", "Konflik sumber"),
    "entity.agreement": _e("Agreement", "Perjanjian"),
    "entity.parties": _e("Parties", "Para pihak"),
    "entity.signed": _e("Signed", "Ditandatangani"),
    "entity.at": _e("at", "di"),
    "entity.by": _e("by", "oleh"),
    "entity.observations": _e("Observations", "Observasi"),
    "entity.observation": _e("Observation", "Observasi"),
    "entity.chart": _e("Chart", "Grafik"),
    "entity.chart_caption": _e(
        "One chart per measure, each on its own scale, drawn from the observations in the table below.",
        "Satu grafik per ukuran, masing-masing dengan skalanya sendiri, dari observasi pada tabel di bawah.",
    ),
    "entity.chart_conflict": _e(
        "Bars outlined in red with “!” are observations the source contradicts (a source conflict): see the marked rows.",
        "Batang bergaris tepi merah dengan “!” adalah observasi yang dipertentangkan sumbernya (konflik sumber): lihat baris yang ditandai.",
    ),
    "entity.statements": _e("Statements", "Pernyataan"),
    "entity.incoming": _e("Incoming links", "Tautan masuk"),
    "entity.incoming_hint": _e(
        "Resources that point to this one, grouped by property.",
        "Sumber daya yang menunjuk ke sini, dikelompokkan menurut properti.",
    ),
    "entity.validation": _e("Validation results", "Hasil validasi"),
    "entity.sources": _e("Sources", "Sumber"),
    "entity.named_graph": _e("named graph", "graf bernama"),
    "entity.location": _e("Where in the document", "Letak dalam dokumen"),
    "entity.formats": _e("This resource as data", "Sumber daya ini sebagai data"),
    "node": _e("node", "simpul"),
    "source.reference": _e(
        "Reference data (states, organisations, places, concepts)", "Data rujukan (negara, organisasi, tempat, konsep)"
    ),
    "source.ontology": _e("narcokg ontology", "Ontologi narcokg"),
    "source.shapes": _e("narcokg shapes", "Bentuk SHACL narcokg"),
    "source.validation": _e("Validation report", "Laporan validasi"),
    # Ontology and shapes documentation
    "doc.formats": _e("Download", "Unduh"),
    "doc.contents": _e("Contents", "Daftar isi"),
    "doc.metadata": _e("Metadata", "Metadata"),
    "doc.namespaces": _e("Namespaces", "Ruang nama"),
    "doc.prefix": _e("Prefix", "Prefiks"),
    "doc.namespace": _e("Namespace", "Ruang nama"),
    "doc.hierarchy": _e("Class hierarchy", "Hierarki kelas"),
    "doc.classes": _e("Classes", "Kelas"),
    "doc.object_properties": _e("Object properties", "Properti objek"),
    "doc.datatype_properties": _e("Datatype properties", "Properti tipe data"),
    "doc.other_properties": _e("Other properties", "Properti lain"),
    "doc.individuals": _e("Individuals", "Individu"),
    "doc.external": _e("External terms described here", "Istilah eksternal yang dijelaskan di sini"),
    "doc.alignments": _e("Alignments to other vocabularies", "Penyelarasan dengan kosakata lain"),
    "doc.term": _e("Term", "Istilah"),
    "doc.relation": _e("Relation", "Relasi"),
    "doc.external_term": _e("External term", "Istilah eksternal"),
    "doc.labels": _e("Labels", "Label"),
    "doc.definitions": _e("Definitions", "Definisi"),
    "doc.subclasses": _e("Subclasses", "Subkelas"),
    "doc.subproperties": _e("Subproperties", "Subproperti"),
    "doc.in_domain_of": _e("In the domain of", "Dalam domain"),
    "doc.in_range_of": _e("In the range of", "Dalam jangkauan"),
    "doc.inverse_of": _e("Inverse of", "Kebalikan dari"),
    "doc.permalink": _e("Link to", "Tautan ke"),
    "doc.node_shapes": _e("Node shapes", "Bentuk simpul"),
    "doc.property_shapes": _e("Property shapes", "Bentuk properti"),
    "doc.other_terms": _e("Other resources", "Sumber daya lain"),
    "doc.shapes_title": _e("narcokg shapes", "Bentuk SHACL narcokg"),
    # Browse
    "browse.timeline": _e("Timeline: %s per year", "Linimasa: %s per tahun"),
    "browse.year": _e("year (of signing, for agreements)", "tahun (penandatanganan, untuk perjanjian)"),
    "browse.count": _e("number", "jumlah"),
    "browse.timeline_note": _e(
        "Counted from the dates in the data: an agreement by the year it was signed, "
        "an event by its date; years without any are shown as zero.",
        "Dihitung dari tanggal dalam data: perjanjian menurut tahun penandatanganannya, "
        "peristiwa menurut tanggalnya; tahun tanpa data ditampilkan sebagai nol.",
    ),
    "browse.title": _e("Browse", "Jelajahi"),
    "browse.intro": _e(
        "Every class of the knowledge graph with the number of its instances (asserted or inferred).",
        "Setiap kelas dalam graf pengetahuan beserta jumlah instansnya (dinyatakan atau hasil inferensi).",
    ),
    "browse.own": _e("narcokg classes", "Kelas narcokg"),
    "browse.other": _e("Classes of other vocabularies", "Kelas dari kosakata lain"),
    "browse.other_hint": _e(
        "Mostly inferred from the alignments of the ontology.",
        "Sebagian besar hasil inferensi dari penyelarasan ontologi.",
    ),
    "browse.class": _e("Class", "Kelas"),
    "browse.instances": _e("Instances", "Instans"),
    "browse.definition": _e("Definition", "Definisi"),
    "browse.none": _e("No instances yet.", "Belum ada instans."),
    "browse.breadcrumb": _e("Breadcrumb", "Jejak navigasi"),
    "browse.showing": _e("Showing %d–%d of %d.", "Menampilkan %d–%d dari %d."),
    "browse.pagination": _e("Pages", "Halaman"),
    "browse.previous": _e("Previous", "Sebelumnya"),
    "browse.next": _e("Next", "Berikutnya"),
    # Search
    "search.title": _e("Search", "Pencarian"),
    "search.label": _e("Search names, definitions and claims", "Cari nama, definisi dan klaim"),
    "search.placeholder": _e("e.g. BNN, Badan Narkotika", "mis. BNN, Badan Narkotika"),
    "search.hint": _e(
        "Searches names and acronyms, then definitions, then the texts of claims, in English and "
        "Indonesian; case and accents do not matter.",
        "Mencari nama dan akronim, lalu definisi, lalu teks klaim, dalam bahasa Inggris dan Indonesia; "
        "huruf besar dan aksen diabaikan.",
    ),
    "search.results": _e("%d results", "%d hasil"),
    "search.range": _e("Results %d–%d of %d", "Hasil %d–%d dari %d"),
    "search.page_of": _e("page %d of %d", "halaman %d dari %d"),
    "search.matched": _e("matched", "cocok"),
    "search.in_definition": _e("in the definition", "dalam definisi"),
    "search.in_claim": _e("in a claim", "dalam klaim"),
    "search.none": _e("Nothing found.", "Tidak ditemukan."),
    "search.capped": _e("Showing the first %d.", "Menampilkan %d pertama."),
    "search.kinds": _e("Kinds", "Jenis"),
    "search.kinds_hint": _e(
        "Show only the results of one kind (the number is how many of this search).",
        "Tampilkan hanya hasil satu jenis (angkanya adalah jumlah dalam pencarian ini).",
    ),
    "search.all_kinds": _e("all kinds", "semua jenis"),
    "search.pages": _e("Result pages", "Halaman hasil"),
    "search.suggestions": _e("Suggestions", "Saran"),
    # Download
    "download.title": _e("Download", "Unduh"),
    "download.intro": _e(
        "The files of the current build. Each answers conditional requests (ETag, Last-Modified).",
        "Berkas dari build saat ini. Setiap berkas mendukung permintaan bersyarat (ETag, Last-Modified).",
    ),
    "download.files": _e("Build files", "Berkas build"),
    "download.file": _e("File", "Berkas"),
    "download.what": _e("Content", "Isi"),
    "download.type": _e("Media type", "Jenis media"),
    "download.size": _e("Bytes", "Bita"),
    "download.modified": _e("Built", "Dibangun"),
    "download.none": _e("No build files are available.", "Tidak ada berkas build."),
    "download.more": _e(
        "Each resource is also available on its own as Turtle, JSON-LD, N-Triples, RDF/XML, TriG and N-Quads under /data/, and the whole graph can be queried at the SPARQL endpoint.",
        "Setiap sumber daya juga tersedia sendiri sebagai Turtle, JSON-LD, N-Triples, RDF/XML, TriG dan N-Quads di /data/, dan seluruh graf dapat dikueri di titik akhir SPARQL.",
    ),
    "download.nq": _e(
        "Every named graph, including inferred triples and the validation report (N-Quads)",
        "Semua graf bernama, termasuk tripel hasil inferensi dan laporan validasi (N-Quads)",
    ),
    "download.trig": _e(
        "The asserted graphs: sources, reference data, ontology and shapes (TriG)",
        "Graf yang dinyatakan: sumber, data rujukan, ontologi dan bentuk (TriG)",
    ),
    "download.report": _e("SHACL validation report", "Laporan validasi SHACL"),
    "download.void": _e("VoID description with statistics per graph", "Deskripsi VoID dengan statistik per graf"),
    # Errors
    "error.home": _e("Home", "Beranda"),
    **{
        f"error.status.{code}": _e(HTTPStatus(code).phrase, words)
        for code, words in (
            (400, "Permintaan keliru"),
            (403, "Dilarang"),
            (404, "Tidak ditemukan"),
            (405, "Metode tidak diizinkan"),
            (406, "Tidak ada format yang dapat diterima"),
            (413, "Permintaan terlalu besar"),
            (414, "URL terlalu panjang"),
            (415, "Jenis media tidak didukung"),
            (422, "Tidak dapat diproses"),
            (429, "Terlalu banyak permintaan"),
            (431, "Header permintaan terlalu besar"),
            (500, "Kesalahan internal server"),
            (503, "Layanan tidak tersedia"),
        )
    },
}
