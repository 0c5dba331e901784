"""SHACL validation: pySHACL over our shapes (``validate``), the isolated, memory-capped
process that validates client uploads (``runner``), the parsing of uploads (``upload``) and the
entry points shared by the CLI and the web (``service``)."""
