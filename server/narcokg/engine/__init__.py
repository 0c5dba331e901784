"""The engine: the served snapshot (``store``, ``data``), killable query processes (``pool``,
``worker``), what a query is before it runs (``syntax``), and read-only views over the data
(``resource``, ``search``, ``service``, ``voidcount``)."""
