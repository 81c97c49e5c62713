"""``test``: a fresh ``charge_test`` database with every charge addon and its
tests (at_install + post_install, demo data), then the repo-level pytest
suite (tests/, and pile_simulator/ for the pile simulator) on that database; one report, one closing line
``N passed, M failed[, K skipped]``."""

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from . import device_bus, odoo_cmd, odoo_log, postgres, process, system
from .config import E2E_DB, TEST_DB
from .console import Timer, info, step

# pytest exit codes (pytest.ExitCode): 0 ok, 1 tests failed, 5 none collected
PYTEST_OK = (0, 1, 5)


@dataclass
class Outcome:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list = field(default_factory=list)   # human-readable failure lines

    def fail(self, text, count=1):
        self.failed += count
        self.problems.append(text)

    @property
    def line(self):
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


def _first_line(record):
    return f"{record.logger}: {record.message}"[:300]


def run_odoo_tests(settings, outcome):
    addons = settings.charge_addons()
    if not addons:
        outcome.fail("no charge addons found (charge_*/__manifest__.py in "
                     f"{', '.join(str(d) for d in settings.addons_dirs)}): Odoo ran no test")
        return False
    step(f"Fresh database {TEST_DB!r}: install {', '.join(addons)} with demo data and run their tests")
    postgres.drop_database(settings, TEST_DB)
    port = odoo_cmd.free_port()
    argv = odoo_cmd.server(
        settings, TEST_DB,
        "-i", ",".join(settings.demo_install()),
        # only the charge addons' tests, not those of base/web/mail... installed
        # as dependencies (at_install and post_install both follow the tags)
        f"--test-tags={','.join('/' + a for a in addons)}",
        "--with-demo", "--test-enable", "--stop-after-init", "--log-level=test",
        f"--http-port={port}", "--http-interface=127.0.0.1", "--workers=0", "--max-cron-threads=0",
    )
    log = settings.logs_dir / "odoo-tests.log"
    with Timer("Odoo install + tests"):
        code = process.run_tee(argv, log, cwd=settings.repo, env=odoo_cmd.env())
    with open(log, encoding="utf-8", errors="replace") as lines:
        report = odoo_log.parse_test_log(lines, db=TEST_DB)

    info(f"Odoo: {report.run} tests, {report.failed} failed, {report.errors} error(s), "
         f"{report.skipped} skipped, {len(report.other_errors)} ERROR/CRITICAL line(s) outside tests "
         f"(log: {log})")
    outcome.passed += report.passed
    outcome.failed += report.failed + report.errors
    for rec in report.test_failures:
        outcome.problems.append(f"odoo test: {_first_line(rec)}")
    for rec in report.other_errors:
        outcome.fail(f"odoo {rec.level} outside tests: {_first_line(rec)}")
    for test, reason in report.dependency_skips:
        outcome.fail(f"odoo test skipped for a missing dependency: {test} : {reason} "
                     "(install what it needs: requirements.txt, chromium)")
    outcome.skipped += report.skipped - len(report.dependency_skips)
    if not report.summary_found:
        outcome.fail(f"Odoo printed no test summary (exit code {code}): the install or the run "
                     f"crashed, see {log}")
    elif report.run == 0:
        outcome.fail(f"Odoo ran 0 tests for {', '.join(addons)}: each addon needs tests "
                     "(tests/__init__.py importing its test modules)")
    elif code != 0 and not (report.failed or report.errors or report.other_errors):
        outcome.fail(f"Odoo exited with code {code}, see {log}")
    return postgres.database_exists(settings, TEST_DB)


def run_pytest(settings, outcome, test_db_ready):
    step("Repo-level tests: pytest tests/ pile_simulator/")
    junit = settings.logs_dir / "pytest-junit.xml"
    junit.unlink(missing_ok=True)
    # pile_simulator/tests: the pile simulator's unit tests (a repository tool, not an addon)
    argv = [sys.executable, "-m", "pytest", "tests/", "pile_simulator/", "-ra",
            f"--junitxml={junit}", "-o", f"cache_dir={settings.cache / 'pytest'}"]
    if test_db_ready:
        # pytest-odoo: the ORM of the fresh test database in repo-level tests
        argv += [f"--odoo-config={settings.conf_path}", f"--odoo-database={TEST_DB}",
                 f"--odoo-extra=data-dir={settings.data_dir}"]
        addons_path = settings.odoo_addons_path()
        if addons_path:
            argv.append(f"--odoo-addons-path={addons_path}")
    else:
        # no test database: pytest-odoo would fail to load its registry;
        # tests that need it skip themselves (the run fails anyway)
        argv += ["-p", "no:odoo"]
    log = settings.logs_dir / "pytest.log"
    env = dict(odoo_cmd.env(), CHARGE_CACHE=str(settings.cache))
    with Timer("pytest"):
        code = process.run_tee(argv, log, cwd=settings.repo, env=env)
    if code not in PYTEST_OK:
        outcome.fail(f"pytest exited with code {code} (interrupted, internal or usage error), see {log}")
    if not junit.is_file():
        if code != 5:
            outcome.fail(f"pytest wrote no report {junit}")
        return
    # Count the <testcase> elements: the suite's "tests" attribute also counts
    # subtests, which pytest's own summary line does not.
    totals = {"passed": 0, "failure": 0, "error": 0, "skipped": 0}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome_tag = next((tag for tag in ("failure", "error", "skipped") if case.find(tag) is not None),
                           "passed")
        totals[outcome_tag] += 1
        if outcome_tag in ("failure", "error"):
            outcome.problems.append(f"pytest {outcome_tag}: {case.get('classname')}::{case.get('name')}")
    info(f"pytest: {totals['passed']} passed, {totals['failure']} failed, {totals['error']} error(s), "
         f"{totals['skipped']} skipped (log: {log})")
    outcome.passed += totals["passed"]
    outcome.failed += totals["failure"] + totals["error"]
    outcome.skipped += totals["skipped"]


def run(settings):
    """Returns the exit code of the whole test run."""
    system.ensure_browser()
    device_bus.mosquitto_binary()
    outcome = Outcome()
    test_db_ready = run_odoo_tests(settings, outcome)
    if test_db_ready:
        # before pytest-odoo connects to TEST_DB, which a template must not have
        postgres.copy_database(settings, TEST_DB, E2E_DB)
    run_pytest(settings, outcome, test_db_ready)
    if outcome.passed == 0 and outcome.failed == 0:
        outcome.fail("no test was executed")
    report(outcome)
    return 1 if outcome.failed else 0


def report(outcome):
    step("Test report")
    if outcome.problems:
        info("Failures:")
        for text in outcome.problems:
            info(f"  - {text}")
    else:
        info("no failure")
    print(outcome.line, flush=True)
