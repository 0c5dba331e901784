"""The engine: the seam every serving path uses (``base``) and its embedded implementation
(``embedded``: the snapshot in pyoxigraph, killable query processes in ``pool``/``worker``); what
a SPARQL request is, decided by a parse that follows the grammar pyoxigraph executes
(``analysis``, ``syntax``); read-only views over the data (``resource``, ``search``, ``service``,
``void``, ``voidcount``)."""
