"""Every command the README shows works pasted as written, after its one set-up command.

The set-up (``python3 dev.py run``) leaves ``.venv``; the tests run from that
environment, so it exists. Commands that end by themselves (``--help``/``-h``,
``code``, ``--self-test``) are extracted from the README and run through ``bash``
in the repository with a clean environment: no ``VIRTUAL_ENV``, no ``PYTHONPATH``,
no display. Output redirections go to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = ("tcp-server", "tcp-client", "udp", "relay", "code", "chart", "pcap", "diagnose", "discover")


def shell_commands(markdown: str) -> list[str]:
    """The commands in ``sh`` blocks (comments dropped) and in inline code spans."""
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True) if not line.lstrip().startswith("#") else []
            if words:
                found.append(line.split(" #")[0].strip())
    prose = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    found += [span for span in re.findall(r"`([^`\n]+)`", prose) if "main.py" in span or "dev.py" in span]
    return found


def ends_by_itself(command: str) -> bool:
    """Help, the lesson scripts and the self-test: they finish without a peer or a window."""
    words = command.split()
    if "main.py" not in words or words[0].startswith(".venv\\"):
        return False
    after = words[words.index("main.py") + 1:]
    return bool(after) and (after[0] in ("code", "--self-test") or "-h" in after or "--help" in after)


def expand(command: str) -> list[str]:
    """``COMMAND`` (a placeholder) as each real command."""
    return [command.replace("COMMAND", name) for name in COMMANDS] if "COMMAND" in command else [command]


SAFE = [expanded for command in shell_commands(README) if ends_by_itself(command) for expanded in expand(command)]


def clean_env(home: Path) -> dict[str, str]:
    """What a fresh terminal has: a PATH without the virtualenv, a home, a UTF-8 locale."""
    venv_bin = str(Path(sys.prefix) / "bin")
    path = os.pathsep.join(p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p != venv_bin)
    return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "SOCKETLAB_CONFIG_DIR": str(home / "config")}


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    assert len(SAFE) >= 8, SAFE
    assert any(" code " in c for c in SAFE) and any("--self-test" in c for c in SAFE) and any("-h" in c for c in SAFE)
    assert "../shared" not in README  # the design it links is in the repository
    assert (ROOT / "docs" / "design.md").exists()


@pytest.mark.parametrize("command", SAFE)
def test_a_readme_command_works_as_written(command: str, tmp_path: Path) -> None:
    runnable = re.sub(r">\s*(\S+)", lambda m: f"> {shlex.quote(str(tmp_path / m.group(1)))}", command)
    result = subprocess.run(["bash", "-c", runnable], cwd=ROOT, env=clean_env(tmp_path), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert result.stdout or ">" in command


def test_plain_python3_without_the_packages_says_what_to_do(tmp_path: Path) -> None:
    bare = subprocess.run(["bash", "-c", "command -v python3"], env=clean_env(tmp_path), capture_output=True,
                          text=True, check=False).stdout.strip()
    if not bare:
        pytest.skip("no python3 on the clean PATH")
    probe = subprocess.run([bare, "-c", "import ifaddr, platformdirs"], capture_output=True, check=False)
    if probe.returncode == 0:
        pytest.skip(f"{bare} has SocketLab's packages installed: nothing to explain")
    result = subprocess.run([bare, "main.py", "--help"], cwd=ROOT, env=clean_env(tmp_path), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "dev.py run" in result.stderr and ".venv" in result.stderr
