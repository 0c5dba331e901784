/* narcokg query page: SPARQL highlighting, prefix help, autocompletion, history, examples and
   results without reload. Without this script the page still works: the form submits
   GET /?query=… and the server renders the results; with it, the same server rendering is
   fetched (POST /) and swapped in, so labels, charts and explained errors exist once.
   Written for this project; no external code. */
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  if (!form || !textarea) { return; }
  var resultsSection = document.getElementById("results");
  var resultsBody = document.getElementById("results-body");
  var resultsLinks = document.getElementById("results-links");
  var statusEl = document.getElementById("query-status");
  var words = resultsSection ? resultsSection.dataset : {};

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

  /* The error the server reported, as [start, end) offsets in the text it was reported for. */
  var errorMark = null;

  function refresh() {
    var text = textarea.value;
    if (errorMark && errorMark.text === text) {
      layerCode.innerHTML = highlight(text.slice(0, errorMark.start)) + '<span class="err-mark">' +
        highlight(text.slice(errorMark.start, errorMark.end)) + "</span>" + highlight(text.slice(errorMark.end)) + "\n";
    } else {
      errorMark = null;
      layerCode.innerHTML = highlight(text) + "\n";
    }
    sync();
    updatePrefixButtons();
  }
  function sync() {
    layer.scrollTop = textarea.scrollTop;
    layer.scrollLeft = textarea.scrollLeft;
  }
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", sync);

  function offsetOf(text, line, column) {
    var pos = 0;
    for (var i = 1; i < line; i++) {
      var nl = text.indexOf("\n", pos);
      if (nl < 0) { return text.length; }
      pos = nl + 1;
    }
    return Math.min(pos + Math.max(column - 1, 0), text.length);
  }

  function markError(box) {
    var line = parseInt(box.getAttribute("data-line") || "", 10);
    var column = parseInt(box.getAttribute("data-column") || "", 10);
    if (!line || !column) { return; }
    var text = textarea.value;
    var start = offsetOf(text, line, column);
    var end = Math.min(text.length, start + Math.max(1, parseInt(box.getAttribute("data-length") || "1", 10)));
    errorMark = { text: text, start: start, end: end };
    refresh();
  }

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

  function addPrefixLines(lines) {
    var have = declared(textarea.value);
    var fresh = lines.filter(function (l) {
      var m = /^PREFIX\s+([^:\s]*):/.exec(l);
      return m && !have[m[1]];
    });
    if (fresh.length) {
      textarea.value = fresh.join("\n") + "\n" + textarea.value;
      refresh();
    }
    return fresh.length;
  }

  function addPrefixes(names) {
    return addPrefixLines(names.filter(function (n) { return PREFIXES[n]; }).map(function (n) {
      return "PREFIX " + n + ": <" + PREFIXES[n] + ">";
    }));
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

  /* Only prefixes not yet declared get an "add" button. */
  function updatePrefixButtons() {
    var have = declared(textarea.value);
    Array.prototype.forEach.call(prefixRows, function (row) {
      var button = row.querySelector("button.add-prefix");
      if (button) { button.hidden = !!have[row.getAttribute("data-prefix")]; }
    });
    if (addMissing) {
      var missing = usedPrefixes(textarea.value).filter(function (n) { return !have[n] && PREFIXES[n]; });
      addMissing.hidden = missing.length === 0;
    }
  }

  Array.prototype.forEach.call(prefixRows, function (row) {
    var button = row.querySelector("button.add-prefix");
    if (!button) { return; }
    button.addEventListener("click", function () {
      addPrefixes([row.getAttribute("data-prefix")]);
      textarea.focus();
    });
  });
  var addMissing = document.getElementById("add-missing-prefixes");
  if (addMissing) {
    addMissing.addEventListener("click", function () {
      var n = addPrefixes(usedPrefixes(textarea.value));
      setStatus(n ? "+" + n + " PREFIX" : "✓");
      textarea.focus();
    });
  }

  /* ---- Autocompletion: prefixes, classes and properties (/sparql/terms.json), entities (/search.json) ---- */
  var lang = form.getAttribute("data-lang") || "en";
  var terms = null;
  var termsLoading = null;
  function loadTerms() {
    if (terms || termsLoading) { return termsLoading; }
    termsLoading = fetch("/sparql/terms.json?lang=" + encodeURIComponent(lang)).then(function (r) { return r.json(); })
      .then(function (doc) { terms = doc; return doc; })["catch"](function () { termsLoading = null; });
    return termsLoading;
  }
  var list = document.createElement("ul");
  list.className = "completions";
  list.id = "completions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  editor.appendChild(list);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", "completions");
  var choices = [];
  var selected = 0;
  var wordStart = 0;
  var searchTicket = 0;

  function currentWord() {
    var end = textarea.selectionStart;
    var before = textarea.value.slice(0, end);
    var m = /[A-Za-z_][\w.\-]*:?[\w.\-]*$|:[\w.\-]*$/.exec(before);
    return m ? { text: m[0], start: end - m[0].length } : { text: "", start: end };
  }

  function closeList() { list.hidden = true; choices = []; textarea.removeAttribute("aria-activedescendant"); }

  function render() {
    list.textContent = "";
    if (!choices.length) { closeList(); return; }
    choices.forEach(function (c, i) {
      var li = el("li", null, c.insert);
      li.id = "completion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === selected ? "true" : "false");
      if (c.hint) { li.appendChild(el("span", "hint", c.hint)); }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); accept(i); });
      list.appendChild(li);
    });
    var lines = textarea.value.slice(0, wordStart).split("\n");
    var style = window.getComputedStyle(textarea);
    var lineHeight = parseFloat(style.lineHeight) || 21;
    var charWidth = measureChar(style);
    var top = textarea.offsetTop + parseFloat(style.paddingTop) + lines.length * lineHeight - textarea.scrollTop + 2;
    var left = Math.min(parseFloat(style.paddingLeft) + lines[lines.length - 1].length * charWidth, Math.max(0, textarea.clientWidth - 260));
    list.style.top = top + "px";
    list.style.left = Math.max(0, left) + "px";
    list.hidden = false;
    textarea.setAttribute("aria-activedescendant", "completion-" + selected);
  }

  var charWidthCache = 0;
  function measureChar(style) {
    if (!charWidthCache) {
      var probe = el("span", null, "0000000000");
      probe.style.font = style.font;
      probe.style.position = "absolute";
      probe.style.visibility = "hidden";
      document.body.appendChild(probe);
      charWidthCache = probe.getBoundingClientRect().width / 10 || 8;
      document.body.removeChild(probe);
    }
    return charWidthCache;
  }

  function termChoices(word) {
    var out = [];
    if (!terms) { return out; }
    var low = word.toLowerCase();
    var colon = word.indexOf(":");
    if (colon < 0) {
      Object.keys(terms.prefixes).forEach(function (p) {
        if (p.indexOf(low) === 0) { out.push({ insert: p + ":", hint: terms.prefixes[p], prefix: p }); }
      });
    }
    terms.terms.forEach(function (t) {
      if (out.length >= 40) { return; }
      var byName = t.curie.toLowerCase().indexOf(low) === 0 || (colon < 0 && t.curie.toLowerCase().indexOf(":" + low) > 0);
      var byLabel = colon < 0 && low.length >= 2 && t.label && t.label.toLowerCase().indexOf(low) >= 0;
      if (byName || byLabel) {
        out.push({ insert: t.curie, hint: (t.label ? t.label + " · " : "") + t.kind + (t.uses ? " · " + t.uses : ""),
          prefix: t.curie.split(":")[0] });
      }
    });
    return out;
  }

  /* Terms and entity hits arrive separately (terms.json once, /search.json per request): each
     part is kept apart, so whichever comes last does not wipe the other. */
  var termPart = [];
  var entityPart = [];
  function combine() {
    choices = termPart.concat(entityPart);
    if (selected >= choices.length) { selected = 0; }
    render();
  }

  function suggest(explicit) {
    var w = currentWord();
    wordStart = w.start;
    var ticket = ++searchTicket;
    termPart = [];
    entityPart = [];
    if ((!w.text && !explicit) || (!explicit && w.text.indexOf(":") < 0)) { closeList(); return; }
    selected = 0;
    var show = function () {
      if (ticket !== searchTicket) { return; }
      termPart = termChoices(w.text);
      combine();
    };
    var promise = loadTerms();
    if (terms) { show(); } else if (promise) { promise.then(show); }
    if (explicit && w.text.length >= 2 && w.text.indexOf(":") < 0) {
      fetch("/search.json?q=" + encodeURIComponent(w.text) + "&lang=" + encodeURIComponent(lang))
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (doc) {
          if (ticket !== searchTicket) { return; }
          entityPart = (doc.results || []).map(function (hit) { return { insert: "<" + hit.iri + ">", hint: hit.label }; });
          combine();
        })["catch"](function () {});
    }
  }

  function accept(i) {
    var c = choices[i];
    if (!c) { return; }
    var end = textarea.selectionStart;
    var text = textarea.value;
    var before = text.slice(0, wordStart);
    textarea.value = before + c.insert + text.slice(end);
    var caret = before.length + c.insert.length;
    closeList();
    if (c.prefix && PREFIXES[c.prefix] && !declared(textarea.value)[c.prefix]) {
      var line = "PREFIX " + c.prefix + ": <" + PREFIXES[c.prefix] + ">\n";
      textarea.value = line + textarea.value;
      caret += line.length;
    }
    textarea.setSelectionRange(caret, caret);
    refresh();
    textarea.focus();
  }

  textarea.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); closeList(); run(); return; }
    if (ev.key === " " && ev.ctrlKey) { ev.preventDefault(); suggest(true); return; }
    if (list.hidden) { return; }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      selected = (selected + (ev.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      render();
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      ev.preventDefault();
      accept(selected);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      closeList();
    }
  });
  textarea.addEventListener("input", function () { suggest(false); });
  textarea.addEventListener("blur", function () { window.setTimeout(closeList, 150); });

  /* ---- History (localStorage, this browser only) ---- */
  var HISTORY_KEY = "narcokg.query-history";
  var MAX_HISTORY = 20;
  var historySection = document.getElementById("history");
  var historyList = document.getElementById("history-list");

  function readHistory() {
    try { return JSON.parse(window.localStorage.getItem(HISTORY_KEY) || "[]").filter(function (q) { return typeof q === "string"; }); }
    catch (e) { return []; }
  }

  function remember(query) {
    var items = readHistory().filter(function (q) { return q !== query; });
    items.unshift(query);
    try { window.localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(0, MAX_HISTORY))); } catch (e) { /* storage full or off */ }
    showHistory();
  }

  /* A query's question ("# Question: …") when it has one, else its text without comments. */
  function historyText(q) {
    var m = /^\s*#\s*(?:Question|Pertanyaan)\s*:\s*(.+)$/im.exec(q);
    if (m) { return m[1].slice(0, 160); }
    var text = q.split("\n").filter(function (l) { return !/^\s*(#|PREFIX\b)/i.test(l); }).join(" ");
    return text.replace(/\s+/g, " ").trim().slice(0, 160) || q.slice(0, 160);
  }

  function showHistory() {
    if (!historySection || !historyList) { return; }
    var items = readHistory();
    historyList.textContent = "";
    items.forEach(function (q) {
      var li = el("li");
      var a = el("a", "history-item", historyText(q));
      a.href = "/?query=" + encodeURIComponent(q);
      a.addEventListener("click", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
        ev.preventDefault();
        textarea.value = q;
        refresh();
        textarea.focus();
      });
      li.appendChild(a);
      historyList.appendChild(li);
    });
    if (items.length && !document.getElementById("clear-history")) {
      var clear = el("button", null, historySection.getAttribute("data-clear") || "Clear");
      clear.type = "button";
      clear.id = "clear-history";
      clear.addEventListener("click", function () {
        try { window.localStorage.removeItem(HISTORY_KEY); } catch (e) { /* ignore */ }
        showHistory();
      });
      historySection.appendChild(clear);
    }
    historySection.hidden = items.length === 0;
  }

  /* ---- Results: the server renders them (labels, charts, explained errors); we swap them in ---- */
  function setStatus(text) { if (statusEl) { statusEl.textContent = text; } }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function replaceChildren(target, source) {
    target.textContent = "";
    if (!source) { return; }
    Array.prototype.forEach.call(source.childNodes, function (node) {
      target.appendChild(document.importNode(node, true));
    });
  }

  function wireResults() {
    var box = document.getElementById("query-error");
    if (box) { markError(box); }
    var fix = document.getElementById("fix-prefixes");
    if (fix) {
      fix.addEventListener("click", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
        ev.preventDefault();
        addPrefixLines((fix.getAttribute("data-prefixes") || "").split("\n"));
        run();
      });
    }
  }

  function shareUrl(query) {
    var params = new URLSearchParams();
    params.set("query", query);
    var asked = new URLSearchParams(window.location.search).get("lang");
    if (asked) { params.set("lang", asked); }
    return "/?" + params.toString();
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
    remember(query);
    var asked = new URLSearchParams(window.location.search).get("lang");
    fetch(asked ? "/?lang=" + encodeURIComponent(asked) : "/", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" },
      body: body.toString()
    }).then(function (resp) {
      return resp.text().then(function (text) {
        if (ticket !== running) { return; }
        var doc = new DOMParser().parseFromString(text, "text/html");
        var body = doc.getElementById("results-body");
        if (!body) {  // not the page (e.g. a plain-text refusal from the HTTP server): show it as it is
          body = el("div");
          var box = el("div", "query-error");
          box.setAttribute("role", "alert");
          box.appendChild(el("p", null, (words.error || "Error") + " (" + resp.status + ")"));
          box.appendChild(el("pre", null, text.slice(0, 2000)));
          body.appendChild(box);
        }
        replaceChildren(resultsBody, body);
        var links = doc.getElementById("results-links");
        replaceChildren(resultsLinks, links);
        resultsLinks.hidden = !links || links.hasAttribute("hidden");
        var count = doc.querySelector("#results-body .result-count");
        setStatus((resp.ok ? (count ? count.textContent + " · " : "") : resp.status + " · ") + (Date.now() - started) + " ms");
        wireResults();
        done();
      });
    })["catch"](function (err) {
      if (ticket === running) {
        resultsBody.textContent = "";
        var box = el("div", "query-error");
        box.setAttribute("role", "alert");
        box.appendChild(el("p", null, (words.error || "Error") + ": " + String(err)));
        resultsBody.appendChild(box);
        setStatus("");
        done();
      }
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

  refresh();
  wireResults();
  showHistory();
  if (new URLSearchParams(window.location.search).get("query") !== null && !document.getElementById("query-error")) {
    remember(textarea.value);
  }
})();
