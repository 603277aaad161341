"""`answer_in_fork`: what a function says when it runs in a forked child of the test process."""

from __future__ import annotations

import os
from collections.abc import Callable


def answer_in_fork(ask: Callable[[], str]) -> str:
    """Runs `ask` in a forked child and returns its text (empty when it raised: the child then exits 1)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.write(write_end, ask().encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        text = answer.read().decode()
    os.waitpid(pid, 0)
    return text
