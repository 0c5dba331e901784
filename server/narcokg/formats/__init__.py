"""Media types, file extensions and serializers of every answer narcokg gives: SPARQL results
and graphs (``sparql``), Linked Data documents (``conneg``), compact JSON-LD (``jsonld``)."""
