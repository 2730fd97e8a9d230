"""The `signalwire` 2.x Compatibility SDK, in a virtual environment of its own.

`signalwire` 2.1.1 (the last 2.x on PyPI) pins twilio 6.54, which cannot share the suite's
environment (twilio 9 there), so it gets its own: made once per machine with the standard
`venv` and `pip` from the package registry, under the system's temporary folder, keyed by
the pinned requirement and this Python's version, and reused by later runs. A lock file
keeps two runs from building it at once; a marker written last tells a finished one from a
broken one. tests/helpers/signalwire_sdk_driver.py runs inside it.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Any

REQUIREMENT = "signalwire==2.1.1"
DRIVER = Path(__file__).with_name("signalwire_sdk_driver.py")
_INSTALL_TIMEOUT = 600


def _home() -> Path:
    version = f"py{sys.version_info.major}.{sys.version_info.minor}"
    name = REQUIREMENT.replace("==", "-")
    return Path(tempfile.gettempdir()) / f"signalwire-streams-{name}-{version}"


def sdk_python() -> Path:
    """The interpreter of the SDK's environment, made first if needed (about 30 s, once)."""
    home = _home()
    python = home / "bin" / "python"
    marker = home / ".installed"
    with open(f"{home}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and python.exists():
            return python
        shutil.rmtree(home, ignore_errors=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", REQUIREMENT],
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT,
        )
        if install.returncode != 0:
            raise RuntimeError(
                f"could not install {REQUIREMENT} from the package registry:\n"
                f"{install.stdout}{install.stderr}"
            )
        marker.write_text(REQUIREMENT + "\n")
    return python


def run_driver(given: dict[str, Any]) -> dict[str, Any]:
    """Run the driver in the SDK's environment with `given` on stdin; its JSON answer."""
    result = subprocess.run(
        [str(sdk_python()), str(DRIVER)],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the signalwire SDK driver failed:\n{result.stderr}")
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer
