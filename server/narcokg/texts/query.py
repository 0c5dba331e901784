"""The words of the query page and the SPARQL syntax messages (``sparql.*``; ``{at}`` is the
position, the other ``{names}`` are parameters filled by engine/messages.py)."""

from __future__ import annotations

from narcokg.texts.table import both as _e

TEXT: dict[str, dict[str, str | None]] = {
    "query.title": _e("SPARQL query", "Kueri SPARQL"),
    "query.intro": _e(
        "Ask the knowledge graph in SPARQL. The default graph is the union of all named graphs; "
        "use GRAPH to address one source.",
        "Tanyakan graf pengetahuan dengan SPARQL. Graf bawaan adalah gabungan semua graf bernama; "
        "gunakan GRAPH untuk satu sumber.",
    ),
    "query.query": _e("Query", "Kueri"),
    "query.run": _e("Run query", "Jalankan kueri"),
    "query.examples": _e("Example questions", "Contoh pertanyaan"),
    "query.no_examples": _e("No example queries yet.", "Belum ada contoh kueri."),
    "query.prefixes": _e("Prefixes", "Prefiks"),
    "query.prefix_help": _e(
        "Known prefixes. Add a declaration to the query, or add every missing one at once.",
        "Prefiks yang dikenal. Tambahkan deklarasi ke kueri, atau tambahkan semua yang belum ada.",
    ),
    "query.add_missing": _e("Add missing prefixes", "Tambahkan prefiks yang kurang"),
    "query.add": _e("add", "tambah"),
    "query.results": _e("Results", "Hasil"),
    "query.rows": _e("%d rows", "%d baris"),
    "query.shown": _e("showing the first %d", "menampilkan %d pertama"),
    "query.download": _e("Download", "Unduh"),
    "query.download_table": _e(
        "Download the table as shown (labels included)", "Unduh tabel seperti yang ditampilkan (beserta label)"
    ),
    "query.share": _e("Link to this query", "Tautan ke kueri ini"),
    "query.error": _e("The query could not be answered", "Kueri tidak dapat dijawab"),
    "query.ask_true": _e("Yes (true)", "Ya (true)"),
    "query.ask_false": _e("No (false)", "Tidak (false)"),
    "query.endpoint": _e("Endpoint for your own tools:", "Endpoint untuk alat Anda sendiri:"),
    "query.limits": _e("Limits", "Batas"),
    "query.shortcuts": _e(
        "Shortcuts: Ctrl+Enter (⌘+Enter) runs the query; Ctrl+Space completes a prefix, class, "
        "property or entity name; Esc closes the suggestions.",
        "Pintasan: Ctrl+Enter (⌘+Enter) menjalankan kueri; Ctrl+Space melengkapi prefiks, kelas, "
        "properti atau nama entitas; Esc menutup saran.",
    ),
    "query.show_types": _e("Show datatypes and language tags", "Tampilkan tipe data dan tag bahasa"),
    "query.charts": _e("Chart of the shown rows", "Grafik baris yang ditampilkan"),
    "query.chart_caption": _e(
        "?%s for each ?%s (bars); the table holds the exact values.",
        "?%s untuk setiap ?%s (batang); tabel memuat nilai persisnya.",
    ),
    "query.timeline_caption": _e(
        "Timeline: rows per year of ?%s; the table holds the exact values.",
        "Linimasa: jumlah baris per tahun dari ?%s; tabel memuat nilai persisnya.",
    ),
    "query.missing_prefixes": _e(
        "The query uses prefixes it does not declare. Add these lines:",
        "Kueri memakai prefiks yang tidak dideklarasikan. Tambahkan baris berikut:",
    ),
    "query.add_and_run": _e("Add these PREFIX lines and run again", "Tambahkan baris PREFIX ini dan jalankan lagi"),
    "query.parser_said": _e("The parser's own message", "Pesan asli parser"),
    "query.history": _e(
        "Your recent queries (kept in this browser only)", "Kueri terakhir Anda (hanya disimpan di peramban ini)"
    ),
    "query.clear_history": _e("Clear", "Hapus"),
    "query.rows_axis": _e("rows", "baris"),
    "query.limit_timeout": _e("%s s per query", "%s detik per kueri"),
    "query.limit_rows": _e("%s rows per answer", "%s baris per jawaban"),
    "query.limit_bytes": _e("%s per query text", "%s per teks kueri"),
    "query.limit_budget": _e(
        "%s s of query time per %s s for each client", "%s detik waktu kueri per %s detik untuk setiap klien"
    ),
    # SPARQL syntax errors in words
    # SPARQL syntax errors in words
    "sparql.malformed": _e(
        "Malformed query: {text}",
        "Sintaks kueri tidak sah; perbaiki kueri di tempat berikut lalu kirim lagi — {text}",
    ),
    "sparql.malformed_parser": _e(
        "Malformed query; the parser's message says where: fix the query there and send it again.",
        "Sintaks kueri tidak sah; pesan parser berikut menyebut letak kesalahannya: perbaiki kueri di "
        "tempat itu lalu kirim lagi.",
    ),
    "sparql.at": _e("line {line}, column {column}", "baris {line}, kolom {column}"),
    "sparql.at_end": _e("at the end of the query", "di akhir kueri"),
    "sparql.prefix_known": _e(
        "prefix `{p}:` is not declared — add `PREFIX {p}: <{iri}>`",
        "prefiks `{p}:` belum dideklarasikan — tambahkan `PREFIX {p}: <{iri}>`",
    ),
    "sparql.prefix_unknown": _e(
        "prefix `{p}:` is not declared — add a line `PREFIX {p}: <…>` with its namespace IRI",
        "prefiks `{p}:` belum dideklarasikan — tambahkan baris `PREFIX {p}: <…>` dengan IRI namespace-nya",
    ),
    "sparql.string_open": _e(
        "the string that starts here is not closed — add the closing {q}",
        "string yang dimulai di sini tidak ditutup — tambahkan {q} penutup",
    ),
    "sparql.bracket_open": _e("`{b}` is never closed — add `{c}`", "`{b}` tidak pernah ditutup — tambahkan `{c}`"),
    "sparql.bracket_extra": _e(
        "`{b}` closes nothing — remove it or add the matching `{o}` before it",
        "`{b}` tidak menutup apa pun — hapus, atau tambahkan `{o}` pasangannya sebelumnya",
    ),
    "sparql.form": _e(
        "a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE (after the PREFIX lines), not `{w}`",
        "kueri dimulai dengan SELECT, CONSTRUCT, ASK atau DESCRIBE (setelah baris PREFIX), bukan `{w}`",
    ),
    "sparql.word": _e("`{w}` is not a SPARQL keyword", "`{w}` bukan kata kunci SPARQL"),
    "sparql.did_you_mean": _e(" — did you mean `{k}`?", " — maksud Anda `{k}`?"),
    "sparql.need_po": _e(
        "a triple needs a predicate and an object after `{t}`", "tripel memerlukan predikat dan objek setelah `{t}`"
    ),
    "sparql.need_o": _e("a triple needs an object after `{t}`", "tripel memerlukan objek setelah `{t}`"),
    "sparql.need_comma": _e("`,` must be followed by another object", "`,` harus diikuti objek lain"),
    "sparql.extra_term": _e(
        "`{t}` starts a new triple — put a `.` before it", "`{t}` memulai tripel baru — letakkan `.` sebelumnya"
    ),
    "sparql.operand": _e("`{o}` needs a value after it", "`{o}` memerlukan nilai sesudahnya"),
    "sparql.unbound": _e(
        "a selected variable is neither grouped nor aggregated — with GROUP BY, select only the "
        "grouped variables or aggregates such as `(SAMPLE(?x) AS ?x)`",
        "variabel yang dipilih tidak dikelompokkan maupun diagregasi — dengan GROUP BY, pilih hanya "
        "variabel yang dikelompokkan atau agregat seperti `(SAMPLE(?x) AS ?x)`",
    ),
    "sparql.unexpected": _e(
        "the query cannot continue with `{t}` here", "kueri tidak dapat dilanjutkan dengan `{t}` di sini"
    ),
    "sparql.lookalike_space": _e(
        "{name} (U+{code}) where SPARQL needs an ordinary space, tab or line break — retype it as a "
        "space (it comes with text copied from web pages and documents)",
        "{name} (U+{code}) di tempat SPARQL memerlukan spasi biasa, tab atau baris baru — ketik ulang "
        "sebagai spasi (karakter ini terbawa dari teks yang disalin dari halaman web dan dokumen)",
    ),
    "sparql.lookalike_invisible": _e(
        "an invisible {name} (U+{code}) — delete it (it comes with text copied from web pages and documents)",
        "{name} (U+{code}) yang tidak terlihat — hapus karakter ini (karakter ini terbawa dari teks "
        "yang disalin dari halaman web dan dokumen)",
    ),
    "sparql.lookalike_quote": _e(
        "a typographic quote {char} (U+{code}) — SPARQL strings take straight quotes, \" or ', "
        "retype it (word processors turn quotes into typographic ones)",
        "tanda kutip tipografis {char} (U+{code}) — string SPARQL memakai tanda kutip lurus, \" atau ', "
        "ketik ulang (pengolah kata mengubah tanda kutip menjadi tipografis)",
    ),
    "sparql.ends": _e("the query ends before it is complete", "kueri berakhir sebelum lengkap"),
    "sparql.expected": _e("expected one of: {items}", "yang diharapkan salah satu dari: {items}"),
    "sparql.plain": _e("{text}", "{text}"),
}
