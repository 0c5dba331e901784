"""The answers the HTTP workers of one server share (``answercache.Shared``): one folder, one
file per (target, Host), and a table of marks that spares a miss the attempt to open a file.
Each ``Shared`` here stands for one worker over the same folder."""

from __future__ import annotations

import os
import shutil

from narcokg.web.answercache import Shared, Stored

HOST = b"127.0.0.1:5000"
ANSWER = Stored((b"accept",), (b"application/sparql-results+json",), b'ETag: "x"\r\n', b'{"boolean":true}', True)


def files(folder) -> set[str]:
    return {name for name in os.listdir(folder) if name != "marks"}


def test_an_answer_one_worker_shares_is_found_by_a_worker_started_before_it(tmp_path):
    reader = Shared(str(tmp_path), 1 << 20)  # mapped the marks before anything was written
    writer = Shared(str(tmp_path), 1 << 20)
    writer.put(b"/sparql?query=ASK%7B%7D", HOST, ANSWER)
    assert reader.variants(b"/sparql?query=ASK%7B%7D", HOST) == [ANSWER]
    assert reader.variants(b"/sparql?query=ASK%7B%7D", b"example.org") == []


def test_a_file_no_worker_marked_is_not_read(tmp_path):
    """A miss looks at its mark only: a file under another key's name, which no worker wrote
    through ``put``, is never opened (before the marks, every miss tried to open its file)."""
    shared = Shared(str(tmp_path), 1 << 20)
    shared.put(b"/a", HOST, ANSWER)
    (written,) = files(tmp_path)
    assert shared.variants(b"/a", HOST) == [ANSWER]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = Shared(str(elsewhere), 1 << 20)  # learn the file name of /b, then plant /a's record there
    other.put(b"/b", HOST, ANSWER)
    (name_of_b,) = files(elsewhere)
    shutil.copy(tmp_path / written, tmp_path / name_of_b)
    assert shared.variants(b"/b", HOST) == []


class OneSlot(Shared):
    SLOTS = 1  # every key has the same mark


def test_a_mark_set_by_another_key_costs_a_try_and_finds_nothing(tmp_path):
    shared = OneSlot(str(tmp_path), 1 << 20)
    shared.put(b"/a", HOST, ANSWER)
    assert shared.variants(b"/b", HOST) == []
    assert shared.variants(b"/a", HOST) == [ANSWER]


def test_a_folder_where_marks_cannot_be_made_still_shares(tmp_path):
    (tmp_path / "marks").mkdir()  # a folder where the file should be: no marks, every miss tries its file
    shared = Shared(str(tmp_path), 1 << 20)
    shared.put(b"/a", HOST, ANSWER)
    assert Shared(str(tmp_path), 1 << 20).variants(b"/a", HOST) == [ANSWER]
    assert shared.variants(b"/b", HOST) == []
