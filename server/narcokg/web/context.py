"""What the HTML views share: the request's context, template globals, error and cached responses."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

from functools import lru_cache
from typing import Callable

from flask import Response, current_app, g, render_template_string, request, url_for
from markupsafe import escape
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from narcokg import vocab as px
from narcokg.iris import IriMap
from narcokg.html.i18n import marked, marker, tm
from narcokg.html.labels import LANGS, Labels, choose_lang, explicit_lang, format_number, t
from narcokg.engine.base import Engine
from narcokg.web.errors import error_response

#: Seconds a client may reuse a page or document before revalidating it (ETag, Last-Modified).
MAX_AGE = 300


@dataclass
class Context:
    store: Engine
    iris: IriMap
    base: str
    lang: str
    labels: Labels


def ctx() -> Context:
    """The current request's context, made once per request."""
    if "narcokg_ctx" not in g:
        settings = current_app.config["NARCOKG"]
        store = current_app.extensions["narcokg.engine"]
        iris = _iri_map(settings)
        lang = choose_lang()
        labels = Labels(store, lang, _prefixes(settings.served_base), memo=snapshot_memo("labels", lang))
        g.narcokg_ctx = Context(store=store, iris=iris, base=settings.served_base, lang=lang, labels=labels)
    return g.narcokg_ctx


def _iri_map(settings) -> IriMap:
    cache = app_cache()
    if "iris" not in cache:
        cache["iris"] = IriMap(settings)
    return cache["iris"]


def app_cache() -> dict:
    """Per-process memo of things computed from the (immutable) snapshot."""
    return current_app.extensions.setdefault("narcokg.web.context.cache", {})


#: Entries a snapshot memo may hold before it starts afresh (a bound on memory for a large graph).
MEMO_ENTRIES = 200_000


def snapshot_memo(name: str, lang: str) -> dict:
    """A per-process dict of what pages read from the snapshot in one language (labels, the
    sources of named graphs): the snapshot never changes while it is served, so what one
    request reads serves the next instead of being read again."""
    cache = app_cache()
    key = ("memo", name, lang)
    memo = cache.get(key)
    if memo is None or len(memo) > MEMO_ENTRIES:
        memo = cache[key] = {}
    return memo


def _prefixes(base: str) -> dict[str, str]:
    cache = app_cache()
    if "prefixes" not in cache:
        cache["prefixes"] = px.all_prefixes(base)
    return cache["prefixes"]


def snapshot_time() -> datetime:
    """When the served snapshot was written (Last-Modified of everything derived from it)."""
    cache = app_cache()
    if "mtime" not in cache:
        settings = current_app.config["NARCOKG"]
        try:
            ts = settings.nquads.stat().st_mtime
        except OSError:
            ts = 0
        cache["mtime"] = datetime.fromtimestamp(int(ts), tz=timezone.utc)
    return cache["mtime"]


def with_lang(href: str) -> str:
    """``href`` keeping an explicit ``?lang=`` of the current request (fragments kept last)."""
    return linker()(href)


def _unchanged(href: str) -> str:
    return href


def linker() -> Callable[[str], str]:
    """``with_lang`` for the current request, its language and root read once (a page makes
    hundreds of links; reading ``request.args`` for each was a tenth of its time)."""
    lang = explicit_lang()
    if not lang:
        return _unchanged
    root = ctx().iris.root

    def link(href: str) -> str:
        if href.startswith(("http://", "https://")) and not href.startswith(root):
            return href
        frag = ""
        if "#" in href:
            href, frag = href.split("#", 1)
            frag = "#" + frag
        sep = "&" if "?" in href else "?"
        return f"{href}{sep}lang={lang}{frag}"

    return link


def lang_url(code: str) -> str:
    """The current URL in another language."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return request.path + "?" + urlencode(args)


def static_url(filename: str) -> str:
    """``url_for('static', filename=...)``, built once per mount point: the same on every
    request, and building it was a tenth of the chrome's cost."""
    key = (request.script_root, filename)
    memo = app_cache().setdefault("static-urls", {})
    found = memo.get(key)
    if found is None:
        found = memo[key] = url_for("static", filename=filename)
    return found


def template_globals() -> dict:
    """The bilingual chrome helpers every template gets (installed once, by the app factory)."""
    lang = choose_lang()
    return {
        "static_url": static_url,
        "lang": lang,
        "langs": LANGS,
        "t": lambda key: t(key, lang),
        "tm": lambda key: tm(key, lang),
        "marked": lambda value, text_lang: marked(value, text_lang, lang),
        "marker": lambda text_lang: marker(text_lang, lang),
        "number": lambda n: format_number(str(n), lang),
        "lang_url": lang_url,
        "link": linker(),
    }


def cached_response(
    body: bytes | str,
    mimetype: str,
    *,
    vary: tuple[str, ...] = ("Accept",),
    links: list[str] | None = None,
    status: int = 200,
    extra: dict | None = None,
) -> Response:
    """A response with a strong ETag of its body and the snapshot's Last-Modified; honours
    If-None-Match / If-Modified-Since with 304."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    resp = Response(data, status=status, mimetype=mimetype)
    if status == 200:
        resp.set_etag(hashlib.sha256(data).hexdigest()[:32])
        resp.last_modified = snapshot_time()
        resp.cache_control.public = True
        resp.cache_control.max_age = MAX_AGE
    for v in vary:
        resp.vary.add(v)
    if links:
        resp.headers["Link"] = ", ".join(links)
    for k, v in (extra or {}).items():
        resp.headers[k] = v
    if status == 200:
        resp.make_conditional(request)
    return resp


def render_page(template: str, *, status: int = 200, links: list[str] | None = None, **kw) -> Response:
    """A template extending ``base.html`` as a page: its blocks rendered, the chrome around them
    the one ``chrome`` keeps (what ``render_template`` writes, without rendering the chrome)."""
    return cached_response(
        page_html(template, **kw), "text/html", vary=("Accept", "Accept-Language"), links=links, status=status
    )


def page_html(template: str, **kw) -> str:
    """``render_template`` of a template extending ``base.html``, its blocks put in the chrome."""
    return chrome_html(*template_blocks(template, kw))


#: The blocks of ``base.html`` a page fills in (the slots of ``chrome``).
_BLOCKS = ("title", "head", "content")


def template_blocks(template: str, context: dict) -> tuple[str, str, str]:
    """The title, head and content blocks of ``template`` (a child of ``base.html`` whose
    blocks do not call ``super()``), ``base.html``'s own where it leaves one out."""
    app = current_app._get_current_object()
    env = app.jinja_env
    context = dict(context)
    app.update_template_context(context)
    own = env.get_template(template)
    base = env.get_template("base.html")
    out = []
    for name in _BLOCKS:
        tmpl = own if name in own.blocks else base
        out.append("".join(tmpl.blocks[name](tmpl.new_context(context))))
    return out[0], out[1], out[2]


#: Where the chrome (``base.html``) takes the page's own parts: its blocks and the URL of the
#: page in the other language (the one part of the chrome that depends on the request's path).
_SLOT = re.compile("\x00([a-z-]+)\x00")
_CHROME = (
    '{% extends "base.html" %}{% block title %}\x00title\x00{% endblock %}'
    "{% block head %}\x00head\x00{% endblock %}{% block content %}\x00content\x00{% endblock %}"
)


def _slot_lang_url(code: str) -> str:
    return f"\x00lang-{code}\x00"


def chrome() -> list[str]:
    """``base.html`` rendered once per language, ``?lang=`` mode and mount point, split at its
    slots: text at even indexes, slot names at odd ones (``title``, ``head``, ``content``,
    ``lang-en``, ``lang-id``). Rendering the chrome through Jinja was a tenth of a small page."""
    lang = choose_lang()
    key = ("chrome", lang, explicit_lang(), request.args.get("lang") in ("en", "id"), request.script_root)
    cache = app_cache()
    parts = cache.get(key)
    if parts is None:
        parts = cache[key] = _SLOT.split(render_template_string(_CHROME, lang_url=_slot_lang_url))
    return parts


def chrome_page(title: str, head: str, content: str, *, links: list[str] | None = None, status: int = 200) -> Response:
    """A page in the chrome, its title, head and content already HTML (what ``render_page``
    answers for a template extending ``base.html`` with those blocks)."""
    html = chrome_html(title, head, content)
    return cached_response(html, "text/html", vary=("Accept", "Accept-Language"), links=links, status=status)


def chrome_html(title: str, head: str, content: str) -> str:
    """The chrome with its slots filled: the page's title, head and content, the links to the
    page in the other language."""
    own = {"title": title, "head": head, "content": content}
    parts = chrome()
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
        elif part in own:
            out.append(own[part])
        else:
            out.append(str(escape(lang_url(part[len("lang-") :]))))
    return "".join(out)


def error(status: int, message: str, *, links: list[str] | None = None) -> Response:
    """A 4xx answer: the app's error page for browsers, one line of text for everything else."""
    names = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable"}
    resp = error_response(status, names.get(status, "Error"), message)
    resp.vary.add("Accept")
    resp.headers["Cache-Control"] = "no-store"
    if links:
        resp.headers["Link"] = ", ".join(links)
    return resp


def prefers_html() -> bool:
    """True when Accept names HTML explicitly and ranks it at least as high as anything else."""
    return _prefers_html(request.headers.get("Accept", ""))


@lru_cache(maxsize=256)
def parsed_accept(header: str) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


@lru_cache(maxsize=256)
def _prefers_html(header: str) -> bool:
    accept = parsed_accept(header)
    html_q = max((q for mt, q in accept if mt in ("text/html", "application/xhtml+xml")), default=0)
    if html_q <= 0:
        return False
    others = [q for mt, q in accept if mt not in ("text/html", "application/xhtml+xml", "*/*")]
    return html_q >= max(others, default=0)
