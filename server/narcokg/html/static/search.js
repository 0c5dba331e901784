/* Type-ahead for the search boxes (issue 15): as you type, up to eight names from /search.json
   appear under the box; arrows choose, Enter opens, Esc closes. Without JavaScript the boxes are
   plain forms that submit to /search. No CDN, no inline script (the CSP allows 'self' only). */
(function () {
  "use strict";
  var page = new URLSearchParams(window.location.search);
  var lang = page.get("lang") === "id" || page.get("lang") === "en" ? page.get("lang") : null;

  function withLang(href) {
    if (!lang) { return href; }
    return href + (href.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang;
  }

  function setup(input, n) {
    var box = document.createElement("ul");
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    box.id = (input.id || "search") + "-suggestions";
    box.className = "typeahead";
    box.setAttribute("role", "listbox");
    box.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", box.id);
    input.insertAdjacentElement("afterend", box);

    function close() {
      box.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark(i) {
      var options = box.querySelectorAll("[role=option]");
      active = i;
      for (var k = 0; k < options.length; k++) {
        options[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      if (i >= 0 && options[i]) { input.setAttribute("aria-activedescendant", options[i].id); }
    }

    function show(results) {
      box.textContent = "";
      items = results;
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        li.id = box.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        a.href = withLang(r.url);
        a.textContent = r.label;
        a.tabIndex = -1;
        li.appendChild(a);
        if (r.types && r.types.length) {
          var kind = document.createElement("span");
          kind.className = "tag kind";
          kind.textContent = r.types[0];
          li.appendChild(document.createTextNode(" "));
          li.appendChild(kind);
        }
        box.appendChild(li);
      });
      box.hidden = results.length === 0;
      active = -1;
      input.setAttribute("aria-expanded", box.hidden ? "false" : "true");
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++asked;
      var url = "/search.json?limit=8&q=" + encodeURIComponent(q) + (lang ? "&lang=" + lang : "");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) { if (doc && mine === asked) { show(doc.results || []); } })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (box.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = withLang(items[active].url); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 200); });
    n = n + 1;
  }

  var boxes = document.querySelectorAll("input[data-typeahead]");
  for (var i = 0; i < boxes.length; i++) { setup(boxes[i], i); }
})();
