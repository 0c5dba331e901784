"""The query engine's Python side: what a SPARQL request is (``analysis``) decided by a parse
that follows the grammar pyoxigraph executes, before any query process sees the text."""
