"""Page models and presentation: labels and languages (``labels``, ``i18n``), SVG charts,
entity pages, ontology and shapes documentation, SHACL report pages; Jinja templates and the
static files live beside them."""
