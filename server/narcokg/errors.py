"""Every failure narcokg reports, as one tree under :class:`NarcokgError`.

The exceptions say what went wrong in the terms of the data and the limits, never in HTTP
terms: the web room maps each class to a status (``narcokg.web.errors``), the CLI to an exit
status. ``message`` is written for the person who sent the input: what is wrong, where, and how
to fix it.
"""
from __future__ import annotations


class NarcokgError(Exception):
    """The base of every error narcokg raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SourceError(NarcokgError):
    """An RDF file or upload that does not parse; the message names the file and, where known, the line."""


class InconsistencyError(NarcokgError):
    """OWL RL reasoning found the ontology and data inconsistent."""
