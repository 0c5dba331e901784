"""Pages are rendered block by block into a chrome rendered once (``context.render_page``): a
template that extends ``base.html`` may hold nothing outside its blocks that its blocks need
(a macro or a ``set`` there would not exist when a block is rendered alone), and no block may
call ``super()`` or fill a block of ``base.html`` other than those the chrome leaves open."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

import narcokg.html

TEMPLATES = Path(narcokg.html.__file__).parent / "templates"
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
PAGES = sorted(p.name for p in TEMPLATES.glob("*.html") if '{% extends "base.html" %}' in p.read_text(encoding="utf-8"))


def test_the_page_templates_are_found():
    assert {"browse.html", "ontology.html", "search.html", "cite.html"} <= set(PAGES)


@pytest.mark.parametrize("name", [p for p in PAGES if p != "error.html"])  # error.html: render_template
def test_a_page_template_is_its_blocks(name):
    tree = ENV.parse(ENV.loader.get_source(ENV, name)[0])
    for node in tree.body:
        if isinstance(node, nodes.Output):
            assert all(isinstance(c, nodes.TemplateData) and not c.data.strip() for c in node.nodes), name
        else:
            assert isinstance(node, (nodes.Extends, nodes.Block)), f"{name}: {type(node).__name__} outside a block"
    blocks = {b.name for b in tree.find_all(nodes.Block)}
    assert blocks <= {"title", "head", "content"}, name
    calls = [c for c in tree.find_all(nodes.Call) if isinstance(c.node, nodes.Name) and c.node.name == "super"]
    assert not calls, name
