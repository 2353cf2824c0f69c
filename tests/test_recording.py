"""Recording ids: unique, rising within a process, never shared with a forked child."""

from __future__ import annotations

import os

from perfkit.recording import new_id


def test_ids_are_32_hex_digits_and_rise_within_a_process() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert {i[:20] for i in ids} == {ids[0][:20]}


def test_a_forked_child_draws_a_new_tag() -> None:
    before = new_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    after = new_id()
    assert len(child) == 32
    assert child[:20] != before[:20]
    assert after[:20] == before[:20]
    assert child not in (before, after)
