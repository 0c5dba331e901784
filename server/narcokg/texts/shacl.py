"""The words of the validation pages (/shacl, /shacl/validate) and their error messages."""

from __future__ import annotations

from narcokg.texts.table import both as _e

TEXT: dict[str, dict[str, str | None]] = {
    # Severities and the results table
    "shacl.Violation": _e("Violation", "Pelanggaran"),
    "shacl.Warning": _e("Warning", "Peringatan"),
    "shacl.Info": _e("Info", "Info"),
    "shacl.total": _e("Total", "Jumlah"),
    "shacl.by_severity": _e("Results by severity", "Hasil menurut tingkat"),
    "shacl.by_shape": _e("Results by shape", "Hasil menurut bentuk"),
    "shacl.shape": _e("Shape", "Bentuk"),
    "shacl.focus": _e("Focus node", "Simpul fokus"),
    "shacl.path": _e("Path", "Jalur"),
    "shacl.value": _e("Value", "Nilai"),
    "shacl.message": _e("Message", "Pesan"),
    "shacl.constraint": _e("Constraint", "Batasan"),
    "shacl.uploaded_node": _e(
        "a resource of your data (it has no page on this site)",
        "sumber daya dari data Anda (tidak memiliki halaman di situs ini)",
    ),
    # The build's report
    "shacl.report_title": _e("Validation report", "Laporan validasi"),
    "shacl.report_h1": _e("Validation report of the knowledge graph", "Laporan validasi graf pengetahuan"),
    "shacl.report_intro": _e(
        "The knowledge graph (asserted and inferred triples, with the ontology) validated "
        "against the narcokg SHACL shapes when the snapshot was built.",
        "Graf pengetahuan (tripel yang dinyatakan dan hasil inferensi, beserta ontologi) "
        "divalidasi terhadap bentuk SHACL narcokg saat snapshot dibangun.",
    ),
    "shacl.shapes_link": _e("The shapes", "Bentuk-bentuknya"),
    "shacl.conforms_kg": _e("It conforms: no violation.", "Graf ini sesuai: tidak ada pelanggaran."),
    "shacl.violates_kg": _e("It does not conform.", "Graf ini tidak sesuai."),
    "shacl.warnings_note": _e(
        "Warnings report source conflicts the data keeps on purpose.",
        "Peringatan melaporkan konflik sumber yang sengaja dipertahankan oleh data.",
    ),
    "shacl.as_rdf": _e(
        "As RDF (sh:ValidationReport), or ask with an Accept header:",
        "Sebagai RDF (sh:ValidationReport), atau minta dengan header Accept:",
    ),
    "shacl.validate_own": _e("Validate your own data", "Validasi data Anda sendiri"),
    "shacl.filter": _e("Filter the results", "Saring hasil"),
    "shacl.severity": _e("Severity", "Tingkat"),
    "shacl.any": _e("any", "semua"),
    "shacl.show": _e("Show", "Tampilkan"),
    "shacl.show_all": _e("show all", "tampilkan semua"),
    "shacl.results_n": _e("Results: %d", "Hasil: %d"),
    "shacl.results_matching": _e("Results matching the filter: %d", "Hasil yang cocok dengan saringan: %d"),
    "shacl.no_result": _e("No result.", "Tidak ada hasil."),
    "shacl.message_en": _e(
        "Messages come from the shapes, which word them in English.",
        "Pesan berasal dari bentuk SHACL, yang menuliskannya dalam bahasa Inggris.",
    ),
    # Validate your data
    "shacl.validate_title": _e("Validate your data", "Validasi data Anda"),
    "shacl.validate_h1": _e(
        "Validate your data against the narcokg shapes", "Validasi data Anda terhadap bentuk SHACL narcokg"
    ),
    "shacl.report_for": _e("Report for %s (%s)", "Laporan untuk %s (%s)"),
    "shacl.conforms": _e("Conforms: no violation.", "Sesuai: tidak ada pelanggaran."),
    "shacl.violates": _e("Does not conform.", "Tidak sesuai."),
    "shacl.truncated": _e(
        "The first results are listed; %d more are in the RDF report (ask with Accept: text/turtle).",
        "Hanya hasil pertama yang dicantumkan; %d lainnya ada di laporan RDF (minta dengan Accept: text/turtle).",
    ),
    "shacl.your_data": _e("Your data", "Data Anda"),
    "shacl.file": _e("RDF file", "Berkas RDF"),
    "shacl.paste": _e("or paste RDF", "atau tempel RDF"),
    "shacl.kept": _e(
        "Your data is kept below: correct it and validate again.",
        "Data Anda tetap ada di bawah: perbaiki lalu validasi lagi.",
    ),
    "shacl.not_kept": _e(
        "Your pasted text is not shown again: it was not sent as UTF-8, and read as UTF-8 it would not "
        "be the text you sent. Paste it again from a UTF-8 source, or save it as UTF-8 and upload the file.",
        "Teks yang Anda tempel tidak ditampilkan kembali: teks itu tidak dikirim sebagai UTF-8, dan jika "
        "dibaca sebagai UTF-8 isinya tidak sama dengan yang Anda kirim. Tempel lagi dari sumber UTF-8, "
        "atau simpan sebagai UTF-8 lalu unggah berkasnya.",
    ),
    "shacl.syntax": _e("Syntax", "Sintaks"),
    "shacl.detect": _e("detect (file name, else content)", "deteksi (nama berkas, atau isi)"),
    "shacl.validate": _e("Validate", "Validasi"),
    "shacl.error": _e("Your data could not be validated", "Data Anda tidak dapat divalidasi"),
    "shacl.error_at": _e("line %d, column %d", "baris %d, kolom %d"),
    "shacl.error_line": _e("line %d", "baris %d"),
    "shacl.error_excerpt": _e("The line, with the place marked:", "Baris tersebut, dengan letak yang ditandai:"),
    "shacl.how": _e("How it works", "Cara kerjanya"),
    "shacl.how_shapes": _e(
        "Your data is validated against the narcokg shapes only, with the narcokg ontology for "
        "RDFS inference (instances of a subclass meet the shapes of its superclasses). Shapes "
        "you send are not used: a request that names shapes (shapes, shapesGraph) is refused, "
        "and shapes inside your data are treated as plain data.",
        "Data Anda divalidasi hanya terhadap bentuk SHACL narcokg, dengan ontologi narcokg untuk "
        "inferensi RDFS (instans subkelas harus memenuhi bentuk superkelasnya). Bentuk yang Anda "
        "kirim tidak dipakai: permintaan yang menyebut bentuk (shapes, shapesGraph) ditolak, dan "
        "bentuk di dalam data Anda diperlakukan sebagai data biasa.",
    ),
    "shacl.how_status": _e(
        "The answer is 200 whether or not your data conforms; conforms means no sh:Violation "
        "(warnings and info do not count). The header X-SHACL-Conforms says it too.",
        "Jawabannya 200 baik data Anda sesuai maupun tidak; sesuai berarti tidak ada sh:Violation "
        "(peringatan dan info tidak dihitung). Header X-SHACL-Conforms juga menyatakannya.",
    ),
    "shacl.how_limits": _e(
        "Limits: at most %s of data (else 413); a validation runs for at most %s s (else 503). "
        "Data that does not parse gets 400 with the parser's message, line and column; an "
        "unknown Content-Type gets 415.",
        "Batas: paling banyak %s data (jika lebih, 413); validasi berjalan paling lama %s detik "
        "(jika lebih, 503). Data yang tidak dapat diurai mendapat 400 dengan pesan parser, "
        "baris dan kolomnya; Content-Type yang tidak dikenal mendapat 415.",
    ),
    "shacl.how_base": _e(
        "Relative IRIs in your data resolve against http://upload.invalid/. JSON-LD contexts must "
        "be inline: a context given by URL is refused, never fetched.",
        "IRI relatif dalam data Anda diselesaikan terhadap http://upload.invalid/. Konteks JSON-LD "
        "harus disertakan langsung: konteks yang diberikan lewat URL ditolak, tidak pernah diambil.",
    ),
    "shacl.how_cli": _e(
        "Same verdict as the command line: narcokg validate FILE…",
        "Putusan yang sama dengan baris perintah: narcokg validate BERKAS…",
    ),
    "shacl.program": _e("From a program", "Dari sebuah program"),
    "shacl.program_body": _e(
        "Send the data as the request body with its media type (text/turtle, "
        "application/n-triples, application/ld+json, application/rdf+xml), and ask for the "
        "report with Accept (text/turtle, the default; application/ld+json, "
        "application/n-triples, application/rdf+xml or text/html):",
        "Kirim data sebagai badan permintaan dengan jenis medianya (text/turtle, "
        "application/n-triples, application/ld+json, application/rdf+xml), dan minta laporan "
        "dengan Accept (text/turtle, bawaan; application/ld+json, application/n-triples, "
        "application/rdf+xml atau text/html):",
    ),
    "shacl.program_form": _e(
        "Or post a form (multipart/form-data) with the fields file (an RDF file) or data "
        "(RDF text), and syntax (auto, turtle, nt, json-ld or rdfxml).",
        "Atau kirim formulir (multipart/form-data) dengan bidang file (berkas RDF) atau data "
        "(teks RDF), dan syntax (auto, turtle, nt, json-ld atau rdfxml).",
    ),
    # Errors about the request (HTTP bodies and the form)
    "shacl.too_large": _e("data larger than the limit of %s", "data melebihi batas %s"),
    "shacl.no_data": _e(
        "no data: upload a file (field 'file') or paste RDF (field 'data')",
        "tidak ada data: unggah berkas (bidang 'file') atau tempel RDF (bidang 'data')",
    ),
    "shacl.bad_multipart": _e(
        "the form body is not readable multipart/form-data: its Content-Type must name the boundary "
        "(multipart/form-data; boundary=…) and the body must end with --boundary--; send the form as "
        "a browser or curl -F does",
        "badan formulir bukan multipart/form-data yang dapat dibaca: Content-Type-nya harus menyebut "
        "boundary (multipart/form-data; boundary=…) dan badannya harus diakhiri --boundary--; kirim "
        "formulir seperti yang dilakukan peramban atau curl -F",
    ),
    "shacl.both": _e(
        "give either a file (field 'file') or pasted data (field 'data'), not both",
        "berikan berkas (bidang 'file') atau data tempelan (bidang 'data'), bukan keduanya",
    ),
    "shacl.charset": _e(
        "charset %s is not supported; send the data as UTF-8 (charset=utf-8, or no charset)",
        "charset %s tidak didukung; kirim data sebagai UTF-8 (charset=utf-8, atau tanpa charset)",
    ),
    "shacl.part_charset": _e(
        "field '%s' is sent in charset %s, which is not supported; send it as UTF-8 (charset=utf-8, or no charset)",
        "bidang '%s' dikirim dalam charset %s yang tidak didukung; kirim bidang itu sebagai UTF-8 "
        "(charset=utf-8, atau tanpa charset)",
    ),
    "shacl.one_file": _e(
        "one file per request: the form holds %d files in field 'file'; validate each file in a request "
        "of its own, or put all the data in one file",
        "satu berkas per permintaan: formulir memuat %d berkas di bidang 'file'; validasi setiap berkas "
        "dalam permintaannya sendiri, atau satukan semua data dalam satu berkas",
    ),
    "shacl.field_once": _e(
        "the form sends field '%s' %d times; send it once: only one value of it can be used",
        "formulir mengirim bidang '%s' sebanyak %d kali; kirim bidang itu satu kali saja: hanya satu "
        "nilainya yang dapat dipakai",
    ),
    "shacl.empty": _e("%s is empty: nothing to validate", "%s kosong: tidak ada yang divalidasi"),
    "shacl.pasted": _e("pasted data", "data tempelan"),
    "shacl.request_body": _e("request body", "badan permintaan"),
    "shacl.unparseable": _e("%s does not parse as %s", "%s tidak dapat diurai sebagai %s"),
    "shacl.not_utf8": _e(
        "not UTF-8: byte 0x{byte} at byte offset {offset} is not part of a UTF-8 character; Turtle, "
        "N-Triples and JSON-LD must be UTF-8: save the file as UTF-8 (not Latin-1, Windows-1252 or "
        "UTF-16)",
        "bukan UTF-8: bita 0x{byte} pada posisi bita {offset} bukan bagian dari karakter UTF-8; Turtle, "
        "N-Triples dan JSON-LD harus UTF-8: simpan berkas sebagai UTF-8 (bukan Latin-1, Windows-1252 "
        "atau UTF-16)",
    ),
}
