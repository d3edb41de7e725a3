"""Set-up does it all: `make run` / `make test` install the Debian packages they need when they may, and
otherwise print the one command to run; `make run PORT=5050` serves elsewhere and says where.

The package script runs with PATH pointing only at stand-in commands written by the test (ldconfig, npm, id,
sudo, apt-get...), so nothing is installed and the answers do not depend on this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-packages"
ALL_LIBRARIES = ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz-subset.so.0")
RUN_PACKAGES = ["python3-venv", "npm", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]


class Machine:
    """A directory of stand-in commands describing a Debian machine; apt-get and sudo calls are written to a log."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "calls.log"
        self.log.touch()

    def command(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def setup(
        self,
        *,
        uid: int = 1000,
        sudo: bool = False,
        venv: bool = True,
        npm: bool = True,
        libraries: tuple[str, ...] = ALL_LIBRARIES,
        chromium: bool = True,
        fonts: bool = True,
        dpkg_installed: tuple[str, ...] = (),
    ) -> Machine:
        self.command("id", f"printf '%s\\n' {uid}")
        # python -c '<version check>' passes; the venv/ensurepip import check passes only when `venv`.
        self.command("python-stub", 'case "$2" in *ensurepip*) exit ' + ("0" if venv else "1") + ";; esac; exit 0")
        lines = "".join(f"\\t{lib} (libc6,x86-64) => /usr/lib/{lib}\\n" for lib in libraries)
        self.command("ldconfig", f"printf '{len(libraries)} libs found in cache\\n{lines}'")
        self.command("apt-get", f"printf 'apt-get %s\\n' \"$*\" >> {self.log}")
        if npm:
            self.command("npm", "exit 0")
        if chromium:
            self.command("chromium", "exit 0")
        self.command("fc-list", "printf 'DejaVu Sans\\n" + ("Liberation Serif\\n" if fonts else "") + "'")
        installed = " ".join(dpkg_installed) or "none"
        # dpkg-query -W -f='${Status}' NAME: the name is the third argument
        found = 'printf "install ok installed"; exit 0'
        self.command("dpkg-query", f'for p in {installed}; do [ "$p" = "$3" ] && {{ {found}; }}; done; exit 1')
        if sudo:  # logs, drops -n, and runs the rest (`sudo -n true` answers yes)
            log_call = f"printf 'sudo %s\\n' \"$*\" >> {self.log}"
            self.command("sudo", f'{log_call}; shift; [ "$1" = true ] && exit 0; exec "$@"')
        return self

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": str(self.bin), "PYTHON": "python-stub", "LANG": "C.UTF-8"}
        return subprocess.run(
            ["/bin/bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


def test_a_complete_machine_needs_nothing(machine: Machine) -> None:
    result = machine.setup().run("test")
    assert result.returncode == 0 and result.stdout == result.stderr == ""
    assert machine.calls() == []


def test_without_root_it_prints_the_one_command_and_installs_nothing(machine: Machine) -> None:
    result = machine.setup(venv=False, npm=False, libraries=()).run("run")
    assert result.returncode == 1
    commands = [line.strip() for line in result.stderr.splitlines() if "apt-get" in line]
    assert commands == [
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends " + " ".join(RUN_PACKAGES)
    ]
    assert machine.calls() == []


def test_as_root_it_updates_once_then_installs_what_is_missing(machine: Machine) -> None:
    result = machine.setup(uid=0, npm=False, libraries=ALL_LIBRARIES[:1]).run("run")
    assert result.returncode == 0, result.stderr
    assert machine.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends npm libpangoft2-1.0-0 libharfbuzz-subset0",
    ]


def test_with_passwordless_sudo_it_installs_through_sudo(machine: Machine) -> None:
    result = machine.setup(sudo=True, chromium=False, fonts=False).run("test", "postgresql-client")
    assert result.returncode == 0, result.stderr
    packages = "chromium fonts-liberation postgresql-client"
    assert machine.calls() == [
        "sudo -n true",
        "sudo -n apt-get update -qq",
        "apt-get update -qq",
        f"sudo -n apt-get install -y -qq --no-install-recommends {packages}",
        f"apt-get install -y -qq --no-install-recommends {packages}",
    ]


def test_make_test_also_needs_the_browser_and_fonts_but_make_run_does_not(machine: Machine) -> None:
    machine.setup(chromium=False, fonts=False, dpkg_installed=("postgresql-client",))
    assert machine.run("run").returncode == 0
    result = machine.run("test", "postgresql-client")
    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends chromium fonts-liberation\n" in result.stderr


# --- the port ----------------------------------------------------------------------------------------------------


def make_dry_run(*args: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "MAKEFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        [make, "-n", "-C", str(ROOT), *args], env={**env, "PORT": "7777"}, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_serves_on_the_port_asked_for_and_tells_the_seed() -> None:
    commands = make_dry_run("run", "PORT=5050")
    serve = [line for line in commands.splitlines() if "flask run" in line]
    assert serve == ["PUBLIC_BASE_URL=http://127.0.0.1:5050 .venv/bin/flask run --host 127.0.0.1 --port 5050"]
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5050 .venv/bin/flask seed demo" in commands


def test_make_run_defaults_to_loopback_port_5000_whatever_the_environment_says() -> None:
    commands = make_dry_run("run")  # PORT=7777 in the environment is not a request to move
    assert re.search(r"flask run --host 127\.0\.0\.1 --port 5000$", commands, re.MULTILINE)


def test_the_development_config_and_the_seed_message_use_that_address(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PUBLIC_BASE_URL": "http://127.0.0.1:5050"}
    printed = subprocess.run(
        [sys.executable, "-c", "import config; print(config.DevelopmentConfig.PUBLIC_BASE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == "http://127.0.0.1:5050"
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5050")
    monkeypatch.setattr("app.demo.seed.load_demo", lambda directory: False)
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert "Sign in at http://127.0.0.1:5050" in result.output and "5000" not in result.output
