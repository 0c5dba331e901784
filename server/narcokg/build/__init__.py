"""Build: source files → named graphs (``load``) → OWL RL closure (``reason``) → SHACL report
(``narcokg.shacl``) → VoID (``void``) → snapshot in dist/ (``pipeline.run``). Runs once per
change of the sources, never per request; the web process never imports it."""
