"""The vocabulary module: namespaces whose terms are checked where the code names them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from narcokg import vocab

PACKAGE = Path(vocab.__file__).parent


def test_a_known_term_is_its_iri_and_a_namespace_is_a_string():
    assert vocab.RDFS.label == "http://www.w3.org/2000/01/rdf-schema#label"
    assert vocab.SH.term("class") == "http://www.w3.org/ns/shacl#class"
    assert vocab.RDFS + "label" == vocab.RDFS.label
    assert vocab.COMMON["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"


def test_a_term_named_like_a_str_method_is_asked_for_by_name():
    assert vocab.DCTERMS.term("title") == "http://purl.org/dc/terms/title"
    with pytest.raises(AttributeError):
        vocab.RDFS.term("lable")


def test_a_misspelt_term_fails_where_it_is_written():
    with pytest.raises(AttributeError, match="lable"):
        vocab.RDFS.lable  # noqa: B018


def test_every_term_the_code_names_is_known():
    """Walks the package's source: every ``px.NS.term`` (or ``vocab.NS.term``) resolves."""
    missing = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id in ("px", "vocab")
                and isinstance(getattr(vocab, node.value.attr, None), vocab.Namespace)
            ):
                value = getattr(getattr(vocab, node.value.attr), node.attr, None)
                if node.attr != "term" and not isinstance(value, str):  # a str method is no term
                    missing.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value.attr}.{node.attr}")
    assert missing == []
