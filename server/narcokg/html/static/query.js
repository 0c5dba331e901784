/* narcokg query page: SPARQL highlighting, prefix help, examples and results without reload.
   Without this script the page still works: the form submits GET /?query=… and the server
   renders the results. Written for this project; no external code. */
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  if (!form || !textarea) { return; }
  var resultsSection = document.getElementById("results");
  var resultsBody = document.getElementById("results-body");
  var resultsLinks = document.getElementById("results-links");
  var statusEl = document.getElementById("query-status");
  var base = form.getAttribute("data-base") || "";
  var root = form.getAttribute("data-root") || "/";
  var words = resultsSection ? resultsSection.dataset : {};
  var displayRows = parseInt(words.displayRows || "1000", 10);

  var SOLUTION_FORMATS = [["json", "SPARQL JSON", "srj", "application/sparql-results+json"],
    ["xml", "SPARQL XML", "srx", "application/sparql-results+xml"], ["csv", "CSV", "csv", "text/csv"],
    ["tsv", "TSV", "tsv", "text/tab-separated-values"]];
  var GRAPH_FORMATS = [["turtle", "Turtle", "ttl", "text/turtle"], ["ntriples", "N-Triples", "nt", "application/n-triples"],
    ["jsonld", "JSON-LD", "jsonld", "application/ld+json"], ["rdfxml", "RDF/XML", "rdf", "application/rdf+xml"],
    ["nquads", "N-Quads", "nq", "application/n-quads"], ["trig", "TriG", "trig", "application/trig"]];

  /* Known prefixes, read from the prefix table the server rendered. */
  var PREFIXES = {};
  var prefixRows = document.querySelectorAll("#prefix-help tr[data-prefix]");
  Array.prototype.forEach.call(prefixRows, function (row) {
    PREFIXES[row.getAttribute("data-prefix")] = row.getAttribute("data-iri");
  });

  /* ---- Tokenizer (same token classes as the server's sparqlsyntax module) ---- */
  var TOKEN = new RegExp([
    "(\\s+)",
    "(#[^\\r\\n]*)",
    "('''(?:(?:'|'')?(?:[^'\\\\]|\\\\[\\s\\S]))*(?:'''|$)|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\\\]|\\\\[\\s\\S]))*(?:\"\"\"|$)" +
      "|'(?:[^'\\\\\\r\\n]|\\\\.)*'?|\"(?:[^\"\\\\\\r\\n]|\\\\.)*\"?)",
    "(<[^<>\"{}|^`\\\\\\x00-\\x20]*>)",
    "([?$][A-Za-z0-9_\\u00B7\\u00C0-\\uFFFF]+)",
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    "(_:[A-Za-z0-9_.\\-\\u00C0-\\uFFFF]*)",
    "((?:[A-Za-z\\u00C0-\\uFFFF][A-Za-z0-9_.\\-\\u00B7\\u00C0-\\uFFFF]*)?:(?:[A-Za-z0-9_:.\\-\\u00B7\\u00C0-\\uFFFF]|%[0-9A-Fa-f]{2}|\\\\.)*)",
    "([A-Za-z_\\u00C0-\\uFFFF][A-Za-z0-9_\\u00C0-\\uFFFF]*)",
    "([0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\.[0-9]+)",
    "([\\s\\S])"
  ].join("|"), "y");
  var KINDS = [null, "ws", "comment", "string", "iri", "var", "langtag", "bnode", "pname", "word", "number", "punct"];

  var KEYWORDS = toSet("SELECT CONSTRUCT DESCRIBE ASK WHERE PREFIX BASE FROM NAMED GRAPH OPTIONAL UNION MINUS " +
    "FILTER BIND VALUES LIMIT OFFSET ORDER BY GROUP HAVING DISTINCT REDUCED AS ASC DESC NOT EXISTS IN SERVICE " +
    "SILENT UNDEF A TRUE FALSE INSERT DELETE DATA LOAD CLEAR DROP CREATE WITH");
  var FUNCTIONS = toSet("COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND " +
    "IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE");

  function toSet(text) {
    var set = {};
    text.split(" ").forEach(function (w) { set[w] = true; });
    return set;
  }

  function tokenize(text) {
    var out = [];
    var pos = 0;
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (!m || m[0].length === 0) { out.push({ kind: "punct", text: text.charAt(pos) }); pos += 1; continue; }
      var kind = "punct";
      for (var i = 1; i < m.length; i++) { if (m[i] !== undefined) { kind = KINDS[i]; break; } }
      if (kind === "word") {
        var upper = m[0].toUpperCase();
        kind = KEYWORDS[upper] ? "keyword" : (FUNCTIONS[upper] ? "function" : "word");
      }
      out.push({ kind: kind, text: m[0] });
      pos += m[0].length;
    }
    return out;
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function highlight(text) {
    return tokenize(text).map(function (t) {
      if (t.kind === "ws" || t.kind === "punct") { return escapeHtml(t.text); }
      return '<span class="tok-' + t.kind + '">' + escapeHtml(t.text) + "</span>";
    }).join("");
  }

  /* ---- Editor: a transparent textarea over a highlighted <pre> ---- */
  var editor = document.getElementById("editor");
  var layer = document.createElement("pre");
  layer.className = "hl-layer";
  layer.setAttribute("aria-hidden", "true");
  var layerCode = document.createElement("code");
  layer.appendChild(layerCode);
  editor.insertBefore(layer, textarea);
  editor.classList.add("hl-on");

  function refresh() {
    layerCode.innerHTML = highlight(textarea.value) + "\n";
    sync();
  }
  function sync() {
    layer.scrollTop = textarea.scrollTop;
    layer.scrollLeft = textarea.scrollLeft;
  }
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", sync);
  textarea.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  refresh();

  /* ---- Prefix help ---- */
  function declared(text) {
    var found = {};
    var toks = tokenize(text).filter(function (t) { return t.kind !== "ws" && t.kind !== "comment"; });
    for (var i = 0; i + 1 < toks.length; i++) {
      if (toks[i].kind === "keyword" && toks[i].text.toUpperCase() === "PREFIX" && toks[i + 1].kind === "pname") {
        found[toks[i + 1].text.replace(/:.*$/, "")] = true;
      }
    }
    return found;
  }

  function addPrefixes(names) {
    var have = declared(textarea.value);
    var lines = names.filter(function (n) { return !have[n] && PREFIXES[n]; }).map(function (n) {
      return "PREFIX " + n + ": <" + PREFIXES[n] + ">";
    });
    if (lines.length) {
      textarea.value = lines.join("\n") + "\n" + textarea.value;
      refresh();
    }
    return lines.length;
  }

  function usedPrefixes(text) {
    var used = {};
    var toks = tokenize(text);
    var previous = null;
    toks.forEach(function (t) {
      if (t.kind === "pname" && !(previous && previous.kind === "keyword" && previous.text.toUpperCase() === "PREFIX")) {
        used[t.text.replace(/:.*$/, "")] = true;
      }
      if (t.kind !== "ws" && t.kind !== "comment") { previous = t; }
    });
    return Object.keys(used);
  }

  Array.prototype.forEach.call(prefixRows, function (row) {
    var button = row.querySelector("button.add-prefix");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      addPrefixes([row.getAttribute("data-prefix")]);
      textarea.focus();
    });
  });
  var addMissing = document.getElementById("add-missing-prefixes");
  if (addMissing) {
    addMissing.hidden = false;
    addMissing.addEventListener("click", function () {
      var n = addPrefixes(usedPrefixes(textarea.value));
      setStatus(n ? "+" + n + " PREFIX" : "✓");
      textarea.focus();
    });
  }

  /* ---- Results ---- */
  function setStatus(text) { if (statusEl) { statusEl.textContent = text; } }

  function curie(iri) {
    var best = null;
    Object.keys(PREFIXES).forEach(function (p) {
      var ns = PREFIXES[p];
      if (iri.indexOf(ns) === 0 && (best === null || ns.length > PREFIXES[best].length)) { best = p; }
    });
    if (best === null) { return null; }
    var local = iri.slice(PREFIXES[best].length);
    if (!local || /[\/#?]/.test(local)) { return null; }
    return best + ":" + local;
  }

  function pageHref(iri) {
    if (base && iri.indexOf(base) === 0) {
      var rest = iri.slice(base.length);
      if (rest.indexOf("id/") === 0 && rest.length > 3) { return root + "page/" + rest.slice(3); }
      if (rest.indexOf(".well-known/genid/") === 0) { return root + "page/" + rest; }
      if (rest === "ontology" || rest.indexOf("ontology#") === 0 || rest === "shapes" || rest.indexOf("shapes#") === 0) {
        return root + rest;
      }
    }
    return iri;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function iriCell(td, iri) {
    td.className = "cell-iri";
    var a = el("a", null, curie(iri) || iri);
    a.href = pageHref(iri);
    a.title = iri;
    td.appendChild(a);
  }

  function literalCell(td, value, lang, datatype) {
    td.className = "cell-literal";
    td.appendChild(document.createTextNode(value));
    var tag = lang ? "@" + lang : (datatype && datatype !== "http://www.w3.org/2001/XMLSchema#string" ? (curie(datatype) || datatype) : null);
    if (tag) {
      td.appendChild(document.createTextNode(" "));
      td.appendChild(el("span", "lit-tag", tag));
    }
  }

  function termText(term) {
    if (term.type === "uri") { return curie(term.value) || term.value; }
    if (term.type === "bnode") { return "_:" + term.value; }
    if (term.type === "triple") {
      var v = term.value;
      return "<< " + [v.subject, v.predicate, v.object].map(termText).join(" ") + " >>";
    }
    return term.value;
  }

  function solutionCell(term) {
    var td = el("td");
    if (!term) { td.className = "cell-empty"; return td; }
    if (term.type === "uri") { iriCell(td, term.value); }
    else if (term.type === "literal" || term.type === "typed-literal") { literalCell(td, term.value, term["xml:lang"], term.datatype); }
    else { td.className = "cell-" + term.type; td.textContent = termText(term); }
    return td;
  }

  function table(columns, rows, prefix) {
    var wrap = el("div", "table-wrap");
    var t = el("table", "results-table");
    var head = el("thead");
    var tr = el("tr");
    columns.forEach(function (c) {
      var th = el("th", null, prefix + c);
      th.scope = "col";
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (td) { row.appendChild(td); });
      body.appendChild(row);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  function countLine(count) {
    var text = (words.rows || "%d rows").replace("%d", String(count));
    if (count > displayRows) { text += " — " + (words.shown || "showing the first %d").replace("%d", String(displayRows)); }
    return el("p", "result-count", text);
  }

  function showSolutions(doc) {
    resultsBody.textContent = "";
    if (Object.prototype.hasOwnProperty.call(doc, "boolean")) {
      resultsBody.appendChild(el("p", "ask-result", doc["boolean"] ? words.askTrue : words.askFalse));
      return 1;
    }
    var vars = doc.head.vars || [];
    var bindings = doc.results.bindings || [];
    var rows = bindings.slice(0, displayRows).map(function (b) {
      return vars.map(function (v) { return solutionCell(b[v]); });
    });
    resultsBody.appendChild(countLine(bindings.length));
    resultsBody.appendChild(table(vars, rows, "?"));
    return bindings.length;
  }

  /* Expanded JSON-LD (what the endpoint sends) → subject / predicate / object rows. */
  function jsonldTriples(doc) {
    var nodes = Array.isArray(doc) ? doc : (doc["@graph"] || [doc]);
    var out = [];
    nodes.forEach(function (node) {
      var s = node["@id"];
      Object.keys(node).forEach(function (key) {
        if (key === "@id" || key === "@context") { return; }
        var values = Array.isArray(node[key]) ? node[key] : [node[key]];
        var p = key === "@type" ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" : key;
        values.forEach(function (v) { out.push([s, p, key === "@type" ? { "@id": v } : v]); });
      });
    });
    return out;
  }

  function objectCell(v) {
    var td = el("td");
    if (v && typeof v === "object" && v["@id"] !== undefined) {
      if (String(v["@id"]).indexOf("_:") === 0) { td.className = "cell-bnode"; td.textContent = v["@id"]; }
      else { iriCell(td, v["@id"]); }
    } else if (v && typeof v === "object") {
      literalCell(td, String(v["@value"]), v["@language"], v["@type"]);
    } else {
      literalCell(td, String(v), null, null);
    }
    return td;
  }

  function showGraph(doc) {
    resultsBody.textContent = "";
    var triples = jsonldTriples(doc);
    var rows = triples.slice(0, displayRows).map(function (t) {
      return [objectCell({ "@id": t[0] }), objectCell({ "@id": t[1] }), objectCell(t[2])];
    });
    resultsBody.appendChild(countLine(triples.length));
    resultsBody.appendChild(table(["subject", "predicate", "object"], rows, ""));
    return triples.length;
  }

  function showError(status, text) {
    resultsBody.textContent = "";
    var box = el("div", "query-error");
    box.setAttribute("role", "alert");
    var p = el("p");
    p.appendChild(el("strong", null, (words.error || "Error") + (status ? " (" + status + ")" : "")));
    box.appendChild(p);
    box.appendChild(el("pre", null, text));
    resultsBody.appendChild(box);
    resultsLinks.hidden = true;
  }

  function shareUrl(query) {
    var params = new URLSearchParams();
    params.set("query", query);
    var lang = new URLSearchParams(window.location.search).get("lang");
    if (lang) { params.set("lang", lang); }
    return "/?" + params.toString();
  }

  function showLinks(query, kind) {
    resultsLinks.textContent = "";
    var p = el("p", "downloads", (words.download || "Download") + ": ");
    (kind === "graph" ? GRAPH_FORMATS : SOLUTION_FORMATS).forEach(function (f, i) {
      if (i) { p.appendChild(document.createTextNode(" · ")); }
      var a = el("a", null, f[1]);
      var params = new URLSearchParams();
      params.set("query", query);
      params.set("format", f[0]);
      a.href = "/sparql?" + params.toString();
      a.setAttribute("download", "results." + f[2]);
      a.setAttribute("type", f[3]);
      a.setAttribute("data-format", f[0]);
      p.appendChild(a);
    });
    resultsLinks.appendChild(p);
    var share = el("p", "share");
    var link = el("a", null, words.share || "Link to this query");
    link.id = "share-link";
    link.href = shareUrl(query);
    share.appendChild(link);
    resultsLinks.appendChild(share);
    resultsLinks.hidden = false;
  }

  var running = 0;
  function run() {
    var query = textarea.value;
    var ticket = ++running;
    var started = Date.now();
    setStatus("…");
    resultsBody.setAttribute("aria-busy", "true");
    var body = new URLSearchParams();
    body.set("query", query);
    if (window.history && window.history.pushState) {
      window.history.pushState({ query: query }, "", shareUrl(query));
    }
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json, application/ld+json;q=0.9" },
      body: body.toString()
    }).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      if (!resp.ok) {
        return resp.text().then(function (text) { if (ticket === running) { showError(resp.status, text); setStatus(""); done(); } });
      }
      return resp.json().then(function (doc) {
        if (ticket !== running) { return; }
        var graph = type.indexOf("application/ld+json") === 0;
        var n = graph ? showGraph(doc) : showSolutions(doc);
        showLinks(query, graph ? "graph" : "solutions");
        setStatus((words.rows || "%d rows").replace("%d", String(n)) + " · " + (Date.now() - started) + " ms");
        done();
      });
    }).catch(function (err) {
      if (ticket === running) { showError(0, String(err)); setStatus(""); done(); }
    });
  }

  // Screen readers (and tests) learn that the results region has settled.
  function done() { resultsBody.setAttribute("aria-busy", "false"); }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    run();
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.example[data-query]"), function (a) {
    a.addEventListener("click", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
      ev.preventDefault();
      textarea.value = a.getAttribute("data-query");
      refresh();
      run();
      textarea.scrollIntoView({ block: "nearest" });
    });
  });

  window.addEventListener("popstate", function () {
    var query = new URLSearchParams(window.location.search).get("query");
    if (query !== null) { textarea.value = query; refresh(); }
  });
})();
