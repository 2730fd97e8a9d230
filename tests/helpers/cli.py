"""Running `signalwire-streams` as a user does: a real subprocess, in a clean environment.

`run_cli` runs a command to its end; `Commands` starts long-running ones (`receive`,
`emulator`) and reads their output line by line in a thread, so a stuck child cannot hang
a test (every wait has a timeout, a safety net only). Each run gets the environment minus
every SIGNALWIRE_* variable of the developer's, plus what the test sets.
"""

from __future__ import annotations

import os
import pty
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import IO

COMMAND = [sys.executable, "-m", "signalwire_streams"]
WAIT = 30.0  # seconds: a safety net for a stuck child, never a measure of speed


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env.update(extra or {})
    return env


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, command: list[str] = COMMAND
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        env=clean_env(env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def assert_never_printed(result: subprocess.CompletedProcess[str], *secret: str) -> None:
    for text in secret:
        assert text not in result.stdout
        assert text not in result.stderr


def assert_one_clean_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The command failed with `code`, printing nothing but an error message (no
    traceback) on stderr; the message is returned for the test's own checks."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.strip(), "no message"
    return result.stderr


class Lines:
    """A child's output read line by line in a thread."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._queue.put(line)
        except OSError:  # a pty reads EIO once the child is gone
            pass
        self._queue.put("")

    def until(self, pattern: str) -> re.Match[str]:
        """The first line from here on that matches `pattern`."""
        while True:
            line = self._queue.get(timeout=WAIT)
            assert line, f"the command exited before printing {pattern!r}: {self.seen}"
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def rest(self) -> str:
        """Everything, once the child has closed its output."""
        while (line := self._queue.get(timeout=WAIT)) != "":
            self.seen.append(line)
        return "".join(self.seen)


class Started:
    """A command running in the background: its process, its stdout lines, its stderr."""

    def __init__(self, process: subprocess.Popen[str], lines: Lines) -> None:
        self.process = process
        self.lines = lines

    def parts(self) -> tuple[subprocess.Popen[str], Lines]:
        return self.process, self.lines

    def interrupt(self) -> int:
        """Ctrl-C, and the exit code. A child still running after WAIT seconds is made to
        print where each of its threads stands (faulthandler, on SIGABRT), and the test fails
        with that."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            self.process.wait(timeout=WAIT)
            raise AssertionError(
                f"still running {WAIT:.0f} s after Ctrl-C; its threads:\n{self.stderr()}"
            ) from None

    def stderr(self) -> str:
        assert self.process.stderr is not None
        return self.process.stderr.read()


class Commands:
    """Starts commands in the background; `close()` kills any still running."""

    def __init__(self) -> None:
        self._started: list[subprocess.Popen[str]] = []
        self._ptys: list[int] = []

    def start(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        terminal: bool = False,
    ) -> Started:
        """`signalwire-streams ARGS`; with `terminal`, its stdout is a pseudo-terminal, as
        in an interactive shell."""
        stdout: int = subprocess.PIPE
        if terminal:
            parent, child = pty.openpty()
            self._ptys.append(parent)
            stdout = child
        process = subprocess.Popen(
            [*COMMAND, *args],
            env=clean_env(
                {
                    "PYTHONUNBUFFERED": "1",
                    "PYTHONFAULTHANDLER": "1",
                    "COLUMNS": "120",
                    **(env or {}),
                }
            ),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._started.append(process)
        if terminal:
            os.close(child)
            stream = open(parent, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
            return Started(process, Lines(stream))
        assert process.stdout is not None
        return Started(process, Lines(process.stdout))

    def close(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=WAIT)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        for descriptor in self._ptys:
            os.close(descriptor)
