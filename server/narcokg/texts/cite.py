"""The words of citations, "query this" links and the ontology page's counts and class diagram."""

from __future__ import annotations

from narcokg.texts.table import both as _e

TEXT: dict[str, dict[str, str | None]] = {
    "cite.how": _e("How to cite", "Cara mengutip"),
    "cite.title": _e("How to cite narcokg", "Cara mengutip narcokg"),
    "cite.intro": _e(
        "Cite the knowledge graph with the version and snapshot date below; cite one entity by its "
        "IRI (every page has a “Cite this” block); cite the source documents for what they say.",
        "Kutip graf pengetahuan ini dengan versi dan tanggal snapshot di bawah; kutip satu entitas "
        "dengan IRI-nya (setiap halaman memiliki blok “Kutip ini”); kutip dokumen sumber untuk isinya.",
    ),
    "cite.this": _e("Cite this", "Kutip ini"),
    "cite.document": _e("Cite this document", "Kutip dokumen ini"),
    "cite.entity": _e("Cite this entry of the knowledge graph", "Kutip entri graf pengetahuan ini"),
    "cite.graph": _e("Cite the whole knowledge graph", "Kutip seluruh graf pengetahuan"),
    "cite.version": _e("Version", "Versi"),
    "cite.date": _e("Snapshot date", "Tanggal snapshot"),
    "cite.licence": _e("Licence", "Lisensi"),
    "cite.bibtex": _e("BibTeX", "BibTeX"),
    "cite.csl": _e("CSL-JSON (Zotero, Pandoc, citeproc)", "CSL-JSON (Zotero, Pandoc, citeproc)"),
    "cite.download": _e("Download", "Unduh"),
    "cite.full": _e("Full citation", "Kutipan lengkap"),
    "cite.printed": _e("As the citing document prints it", "Sebagaimana dicetak oleh dokumen pengutip"),
    "cite.quotes": _e("Quotes from the source (%d)", "Kutipan dari sumber (%d)"),
    "cite.in": _e("In:", "Dalam:"),
    "cite.version_of": _e("Version %s, snapshot of %s.", "Versi %s, snapshot tanggal %s."),
    "cite.no_date": _e("n.d.", "t.t."),
    "cite.line": _e("line %s", "baris %s"),
    "cite.lines": _e("lines %s", "baris %s"),
    "cite.file_note": _e(
        "Source texts of this graph are cited by their description when they print no title.",
        "Teks sumber yang tidak mencetak judul dikutip dengan deskripsinya.",
    ),
    "query.this": _e("Query this", "Kueri ini"),
    "query.entity": _e(
        "Open a query for everything about this resource", "Buka kueri tentang semua hal mengenai sumber daya ini"
    ),
    "query.class": _e("Open a query for the instances of this class", "Buka kueri untuk instans kelas ini"),
    "query.comment_entity": _e(
        "Everything about %s: its statements, then the statements that link to it",
        "Semua hal tentang %s: pernyataannya, lalu pernyataan yang menautkan ke sana",
    ),
    "query.comment_class": _e("Instances of %s, with their labels", "Instans %s, beserta labelnya"),
    "doc.instances": _e("Instances", "Instans"),
    "doc.instances_link": _e("%s instances", "%s instans"),
    "doc.instance_link": _e("%s instance", "%s instans"),
    "doc.no_instances": _e("no instances", "tanpa instans"),
    "doc.shapes_for": _e("Shapes targeting this class", "Shape yang menargetkan kelas ini"),
    "doc.diagram": _e("Class diagram", "Diagram kelas"),
    "doc.diagram_hint": _e(
        "Classes of the ontology with instances in the graph: solid arrows lead to a superclass, "
        "dashed arrows are object properties from their domain to their range.",
        "Kelas ontologi yang memiliki instans dalam graf: panah utuh menuju superkelas, "
        "panah putus-putus adalah properti objek dari domain ke range-nya.",
    ),
    "doc.diagram_text": _e("The diagram as text", "Diagram sebagai teks"),
    "doc.subclass_of": _e("subclass of", "subkelas dari"),
    "doc.counts": _e("Classes and instances", "Kelas dan instans"),
    "source.ledger": _e(
        "Source ledger (which lines of each source text state what)",
        "Buku besar sumber (baris mana dari setiap teks sumber menyatakan apa)",
    ),
}
