"""What no engine is asked to run, decided from the query's analysis: one rule for the web's
check, the direct answers, the CLI and the engine seam.

- An update: the knowledge graph is read-only.
- SERVICE: narcokg answers from its own data and never calls other endpoints.
- A function called by an IRI that is not an XSD cast (``Analysis.foreign_functions``): an
  engine's own extension. pyoxigraph refuses them, but Virtuoso runs its ``bif:`` functions,
  ``bif:http_get`` among them, which fetches any URL from Virtuoso's machine.

This is the first line only: it rests on narcokg's reading of the text. What closes the network
for good is the kernel: the query processes' seccomp filter (``sandbox``), the same filter's
outbound variant around a supervised Oxigraph server, and, for an engine narcokg does not start,
the operator's firewall (README, "When one machine is not enough").
"""

from __future__ import annotations

from narcokg import errors
from narcokg.config import Settings

UPDATE = "this is a SPARQL Update; the endpoint is read-only and accepts queries only"
SERVICE = (
    "SERVICE (federated query) is not supported: this endpoint answers from its own data only and never "
    "calls other endpoints"
)
FOREIGN_FUNCTION = (
    "the function <{iri}> is not available: this endpoint evaluates SPARQL 1.1's built-in functions and the "
    "XSD casts (xsd:integer(…), xsd:string(…), xsd:dateTime(…) and the like) only, whatever engine it runs "
    "on; rewrite the expression with those"
)


def refusal(info, settings: Settings) -> str | None:
    """Why the query analysed as ``info`` must not run; None when it may."""
    if info.update:
        return UPDATE
    if info.service and not settings.test_skip_service_precheck:
        return SERVICE
    foreign = info.foreign_functions
    if foreign:
        return FOREIGN_FUNCTION.format(iri=foreign[0])
    return None


def refuse(info, settings: Settings) -> None:
    """Raise ``errors.QueryRejected`` when the query analysed as ``info`` must not run."""
    why = refusal(info, settings)
    if why is not None:
        raise errors.QueryRejected(why)
