"""A direct answer reads the query from the request target as the app reads it (werkzeug's form
decoding: ``+`` is a space, ``%XX`` a byte, the bytes UTF-8), or declines (UnicodeError), so
the two ways never run different texts."""

from __future__ import annotations

from urllib.parse import quote_plus, unquote_plus

import pytest
from hypothesis import given, strategies as st

from narcokg.web.direct import _decoded


def _app_reading(value: bytes) -> str:
    return unquote_plus(value.decode("ascii"), encoding="utf-8", errors="strict")


@given(st.text())
def test_any_encoded_text_reads_back_as_itself(text):
    assert _decoded(quote_plus(text).encode("ascii")) == text


def reads_as_the_app_reads(raw: bytes) -> None:
    """``_decoded`` gives the app's text for ``raw``, or declines where the app's reading fails."""
    try:
        expected = _app_reading(raw)
    except UnicodeError:
        with pytest.raises(UnicodeError):
            _decoded(raw)
    else:
        assert _decoded(raw) == expected


@given(st.binary(max_size=64))
def test_any_target_bytes_read_as_the_app_reads_them_or_are_declined(raw):
    reads_as_the_app_reads(raw)


@given(st.text(alphabet="%+\\0123456789abcdefABCDEFxg", max_size=24))
def test_percent_signs_backslashes_and_bad_escapes_read_as_the_app_reads_them(text):
    """The fast decoding turns ``%`` into an escape of its own: a ``%`` without two hex digits
    after it, a backslash before one, a ``+`` next to one must all still read as ``unquote``
    reads them."""
    reads_as_the_app_reads(text.encode("ascii"))


@pytest.mark.parametrize("raw", [b"%FF", b"%C3", b"caf\xc3\xa9", b"%ED%A0%80"])
def test_non_utf8_and_raw_non_ascii_targets_are_declined(raw):
    with pytest.raises(UnicodeError):
        _decoded(raw)


def test_plus_is_a_space_and_an_escaped_plus_is_a_plus():
    assert _decoded(b"a+b%2Bc%20d") == "a b+c d"


@pytest.mark.parametrize(
    "raw, text", [(b"100%", "100%"), (b"%zz%41", "%zzA"), (b"%4", "%4"), (b"a\\%41\\n", "a\\A\\n"), (b"%5C%78", "\\x")]
)
def test_what_is_not_an_escape_stays_as_it_is(raw, text):
    assert _decoded(raw) == text == _app_reading(raw)
