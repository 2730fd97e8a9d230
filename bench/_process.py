"""Child processes, and what /proc says about this one.

The programs measure one process while another plays its peer (the canned server, the
emulator, the media load generator, the media receiver), so that the peer's CPU, memory
and descriptors stay out of the figures. Each peer is a module of this package run as
`python -m bench.<module>`, with the repository root put first on PYTHONPATH: the package
is not installed, it lives in the clone, and the child may start from any folder.

Peak memory is VmHWM from /proc/self/status, not getrusage's ru_maxrss, which after fork
and exec starts from the parent's peak (a pytest run's, say) instead of this program's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["ROOT", "Child", "Descriptors", "child_env", "module_command", "peak_rss_mb"]

ROOT = Path(__file__).resolve().parent.parent


def module_command(module: str, *args: str) -> list[str]:
    """The command that runs `python -m module args…` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def child_env() -> dict[str, str]:
    """This environment with the repository root first on PYTHONPATH, so that a child's
    `python -m bench.…` finds the package whatever its working folder."""
    env = dict(os.environ)
    paths = [path for path in env.get("PYTHONPATH", "").split(os.pathsep) if path]
    if str(ROOT) not in paths:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])
    return env


class Child:
    """`python -m <module> args…`, spoken to a line at a time over its stdin and stdout.

    Starting it waits for its first line, `ready` (a port, its settings): the child prints
    it once it can serve. `close()` closes the child's stdin, which every child here takes
    as the signal to end, and kills it if it has not ended 10 s later.
    """

    def __init__(self, module: str, *args: str) -> None:
        self.module = module
        self.process = subprocess.Popen(
            module_command(module, *args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        try:
            self.ready = self.read_line()
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.module} ended (exit {self.process.wait()})")
        return line

    def write_line(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Descriptors:
    """This process's open file descriptors (Linux): each one's number and what it is."""

    targets: dict[int, str]

    @classmethod
    def now(cls) -> Descriptors:
        targets: dict[int, str] = {}
        for name in os.listdir("/proc/self/fd"):
            try:
                targets[int(name)] = os.readlink(f"/proc/self/fd/{name}")
            except OSError:  # the descriptor os.listdir itself used, closed by now
                continue
        return cls(targets)

    @property
    def total(self) -> int:
        return len(self.targets)

    @property
    def sockets(self) -> int:
        return sum(target.startswith("socket:") for target in self.targets.values())

    def opened_since(self, before: Descriptors) -> list[str]:
        """What is open now and was not in `before`, as sorted `fd -> target` lines."""
        now = {f"{fd} -> {target}" for fd, target in self.targets.items()}
        then = {f"{fd} -> {target}" for fd, target in before.targets.items()}
        return sorted(now - then)


def peak_rss_mb() -> float:
    """This process's peak resident memory, VmHWM, in MB."""
    with open("/proc/self/status") as status:
        return next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM:")) / 1024
