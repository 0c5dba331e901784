"""SPARQL text rewritten for a remote endpoint, cut at the token boundaries of ``lexer.tokens``:
comments dropped, a BASE for relative IRIs, the SELECT behind a DESCRIBE, and VALUES binding a
query's variables."""

from __future__ import annotations

import pyoxigraph as ox

from narcokg.engine.lexer import pieces, tokens


def without_comments(query: str) -> str:
    """``query`` with every run of blanks and comments between two tokens written as one space.

    Why: engines end a ``#`` comment at different characters (pyoxigraph, whose grammar the
    analysis follows, at CR or LF; Virtuoso 7.2 at LF only), so text after a CR was code to
    narcokg's check and comment to Virtuoso, and a long string opened there hid a ``bif:`` call
    from the check. The caller analyses the text this returns, the very text sent: whatever
    this lexer misreads, the decision is taken on what the engine gets, which has no comment."""
    out: list[str] = []
    gap = False
    for kind, text in pieces(query):
        if kind in ("ws", "comment"):
            gap = True
            continue
        if gap and out:
            out.append(" ")
        gap = False
        out.append(text)
    return "".join(out)


def with_base(query: str, base: str | None) -> str:
    """``query`` with a BASE for its relative IRIs (the endpoint's IRI), unless it sets one."""
    if not base:
        return query
    for t in tokens(query):
        if t.kind == "word" and t.text.upper() == "BASE":
            return query
        if t.kind == "word" and t.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            break
    return f"BASE {ox.NamedNode(base)}\n{query}"


def describe_as_select(query: str) -> str | None:
    """The SELECT of the resources a DESCRIBE names (its variables and constant IRIs), over the
    same WHERE clause, dataset and modifiers; None when it cannot be read. Cut at token
    boundaries of ``syntax.tokens``; the endpoint's parser reads the result, so a misreading
    can only give a syntax error or the description of other resources."""
    toks = tokens(query)
    at = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "DESCRIBE"), None)
    if at is None:
        return None
    i = at + 1
    targets = []
    while i < len(toks):
        t = toks[i]
        if t.kind == "word" and t.text.upper() in ("WHERE", "FROM") or t.text == "{":
            break
        targets.append(t)
        i += 1
    if not targets:
        return None
    projection = []
    for n, t in enumerate(targets):
        if t.text == "*":
            projection = ["*"]
            break
        if t.kind == "var":
            projection.append(t.text)
        elif t.kind in ("iri", "pname"):
            projection.append(f"({t.text} AS ?__described{n})")
        else:
            return None
    head = query[: toks[at].start]
    rest = query[toks[i].start :] if i < len(toks) else ""
    if not any(t.text == "{" for t in toks[i:]):
        rest += " WHERE {}"
    return f"{head}SELECT DISTINCT {' '.join(projection)} {rest}"


def bind(query: str, bindings: dict) -> str:
    """``query`` with a VALUES block binding ``bindings`` (variable name → pyoxigraph term) at the
    start of its WHERE group: the terms are written by pyoxigraph, never from text."""
    names, terms = [], []
    for name, term in bindings.items():
        ox.Variable(name)  # raises on a name that is not a variable name
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"cannot bind ?{name} to {type(term).__name__}")
        names.append("?" + name)
        terms.append(str(term))
    brace = next((t for t in tokens(query) if t.text == "{"), None)
    if brace is None:
        raise ValueError("the query has no group to bind variables in")
    values = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    return query[: brace.start + 1] + values + query[brace.start + 1 :]
