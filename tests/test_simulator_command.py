"""The pile simulator is a top-level package of the repository, not part of
the addons: the addons never import it, and the ``charge_simulator`` addon
command finds it from the repository or says clearly that it is missing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMAND = REPO / "addons" / "charge_device" / "cli" / "charge_simulator.py"

# load the command's module by its path, named as Odoo names it (odoo.cli.<name>), and call
# load_simulator(), from a folder outside the repository
PROBE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("odoo.cli.charge_simulator", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
runner = module.load_simulator()
print("LOADED", runner.__file__)
"""


def probe(command, cwd):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", PROBE, str(command)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_addons_do_not_import_the_simulator():
    offenders = []
    for path in (REPO / "addons").rglob("*.py"):
        if path == COMMAND:
            continue
        text = path.read_text(encoding="utf-8")
        if "pile_simulator" in text or "charge_device.simulator" in text or "from ..simulator" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
    assert not (REPO / "addons" / "charge_device" / "simulator").exists()


def test_the_command_finds_the_package_of_its_repository(tmp_path):
    result = probe(COMMAND, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"LOADED {REPO / 'pile_simulator' / 'runner.py'}" in result.stdout


def test_without_the_repository_the_command_says_the_simulator_is_missing(tmp_path):
    # an operator's install: the addon without the repository around it
    installed = tmp_path / "site" / "addons" / "charge_device" / "cli"
    installed.mkdir(parents=True)
    shutil.copy(COMMAND, installed / COMMAND.name)
    result = probe(installed / COMMAND.name, tmp_path)
    assert result.returncode == 1
    assert "the pile simulator" in result.stderr and "not installed" in result.stderr
    assert "Traceback" not in result.stderr
