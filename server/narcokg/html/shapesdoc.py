"""The documentation of the SHACL shapes: node shapes, property shapes and other terms, each with
its targets and constraints first."""

from __future__ import annotations


from narcokg import vocab as px
from narcokg.iris import IriMap
from narcokg.html.labels import Labels, t
from narcokg.html.docmodel import SHOWN, Doc, GraphIndex, Section
from narcokg.html.docbuilder import DocBuilder


_SHAPE_FIRST = [
    px.SH.targetClass,
    px.SH.targetNode,
    px.SH.targetSubjectsOf,
    px.SH.targetObjectsOf,
    px.SH.path,
    px.SH.severity,
    px.SH.message,
    px.SH.property,
    px.SH.sparql,
]


def _shape_groups(index: GraphIndex, b: DocBuilder, shapes_iri: str) -> list[tuple[str, str, list[str]]]:
    """(section key, i18n key, shapes) for node shapes, property shapes and anything else."""
    node_shapes = [s for s in index.typed([px.SH.NodeShape]) if not b.is_node(s)]
    prop_shapes = [s for s in index.typed([px.SH.PropertyShape]) if not b.is_node(s) and s not in node_shapes]
    listed = set(node_shapes) | set(prop_shapes) | {shapes_iri}
    others = [s for s in index.out if not b.is_node(s) and s not in listed]
    return [
        ("node-shapes", "doc.node_shapes", node_shapes),
        ("property-shapes", "doc.property_shapes", prop_shapes),
        ("other", "doc.other_terms", others),
    ]


def shapes_doc(index: GraphIndex, shapes_iri: str, iris: IriMap, labels: Labels, lang: str) -> Doc:
    b = DocBuilder(index, shapes_iri + "#", iris, labels, lang)
    groups = _shape_groups(index, b, shapes_iri)
    for _key, _title, members in groups:
        for s in members:
            b.anchors[s] = b.anchor_for(s)

    def sort(xs):
        return sorted(xs, key=lambda x: (b.name(x).casefold(), x))

    sections = [
        Section(key, t(title, lang), [b.term(s, [], _SHAPE_FIRST) for s in sort(members)])
        for key, title, members in groups
        if members or key == "node-shapes"
    ]
    described = shapes_iri in index.out
    texts = b.texts(shapes_iri, [px.DCTERMS.description, px.RDFS.comment])
    prefixes = px.all_prefixes(iris.base)
    return Doc(
        iri=shapes_iri,
        public_iri=shapes_iri,
        title=b.name(shapes_iri) if described else t("doc.shapes_title", lang),
        description=texts[0][0] if texts else None,
        metadata=b.fields(shapes_iri, skip=SHOWN) if described else [],
        sections=sections,
        tree=[],
        alignments=[],
        namespaces=sorted((k, v) for k, v in prefixes.items() if k in ("sh", "nkg", "shape")),
    )
