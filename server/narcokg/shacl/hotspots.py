"""Two hot spots of pySHACL 0.40, made cheaper without changing anything it decides.

Profiled over the build's validation (cProfile, the knowledge graph against every shape):

* ``Shape.validate`` picks a shape's constraint parameters by testing each of the shape's
  predicates for membership in a *list* of ~40 IRIs, once per focus node and nested shape: about
  750k calls of rdflib's ``Identifier.__eq__``, the most sampled frame. The list is given a set
  beside it for membership (``Members``); order, copies and appends behave as the list's.
* ``SPARQLQueryHelper.check_invalid_sparql`` runs five regular expressions over the query text
  on every call, once per focus node, though the text of a constraint never changes. A text that
  passed is remembered for the same pre-bound variables; a text that fails is checked (and
  refused) each time, as before.

``install`` is called by ``validate.run``; tests/unit/test_split_validation.py and the build's
byte-identical snapshot check that the reports do not change.
"""

from __future__ import annotations

import threading

import pyshacl.shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

_lock = threading.Lock()
_installed = False
#: (query text, a value node is pre-bound, extra pre-bound variables) that passed the check.
_passed: set = set()


class Members(list):
    """A list whose ``in`` asks a set (the items are hashable IRIs)."""

    def __init__(self, items=()):
        super().__init__(items)
        self._set = set(self)

    def __contains__(self, item) -> bool:
        return item in self._set

    def copy(self) -> Members:
        return Members(self)

    def append(self, item) -> None:
        super().append(item)
        self._set.add(item)


def install() -> None:
    """Put both in place (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        pyshacl.shape.CONSTRAINT_PARAMS = (Members(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        check = SPARQLQueryHelper.check_invalid_sparql

        def check_once(self, sparql_text, valuenode=None, extravars=None):
            key = (sparql_text, valuenode is not None, tuple(sorted(extravars or ())))
            if key in _passed:
                return True
            answer = check(self, sparql_text, valuenode=valuenode, extravars=extravars)
            if len(_passed) < 10_000:
                _passed.add(key)
            return answer

        SPARQLQueryHelper.check_invalid_sparql = check_once
        _installed = True
