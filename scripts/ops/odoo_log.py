"""Parser of Odoo 19 logs (default format of odoo/netsvc.py, no colours when
not written to a terminal)::

    2025-01-01 12:00:00,123 4242 INFO charge_test odoo.modules.loading: message
    <continuation lines: tracebacks, multi-line messages>

What a test run logs (Odoo 19):

- odoo/service/server.py, at the end of a ``--test-enable --stop-after-init``
  run, logger ``odoo.tests.result`` (INFO, WARNING when 0 tests, ERROR on
  failure): ``0 failed, 0 error(s) of 25 tests when loading database 'x'``
  (the text is ``OdooTestResult.__str__`` of odoo/tests/result.py).
- odoo/tests/result.py: ``Starting <Class.method> ...`` and ``skipped
  <Class.method> : <reason>`` (INFO, logger of the test module), ``FAIL:
  <test>`` / ``ERROR: <test>`` (ERROR).
- odoo/modules/loading.py: ``At least one test failed when loading the
  modules.`` (ERROR) -- already accounted for by the summary.
"""

import re
from dataclasses import dataclass, field

RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) (?P<level>[A-Z_]+) "
    r"(?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
SUMMARY_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
SKIP_RE = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$", re.DOTALL)
TEST_RESULT_RE = re.compile(r"^(?P<kind>FAIL|ERROR): ")
START_RE = re.compile(r"^Starting (?P<test>\S+) \.\.\.$")
# INFO records of these loggers mean no test is running any more
BETWEEN_TESTS_LOGGERS = ("odoo.modules.loading", "odoo.service.server", "odoo.tests.stats")
TEST_LOGGER_RE = re.compile(r"\.tests(\.|$)")
# Skip reasons meaning the environment lacks something the tests need
# (odoo/tests/common.py: websocket-client, Chrome, its devtools connection,
# a command not found). Such a skip fails the run.
DEPENDENCY_SKIP_RE = re.compile(
    r"not installed|not found|no module named|chrome|chromium|browser|devtools|websocket|"
    r"cannot connect|connection",
    re.IGNORECASE,
)
# ERROR lines that restate test failures the summary already counts
# (odoo/modules/loading.py)
ACCOUNTED_ERRORS = re.compile(
    r"^(At least one test failed when loading the modules\.$"
    r"|Module \S+: \d+ failures, \d+ errors of \d+ tests$)"
)
PROBLEM_LEVELS = ("ERROR", "CRITICAL")


@dataclass
class Record:
    level: str
    db: str
    logger: str
    message: str          # first line
    lines: list = field(default_factory=list)  # the whole record

    @property
    def text(self):
        return "\n".join(self.lines)

    @property
    def from_test(self):
        return bool(TEST_LOGGER_RE.search(self.logger))


@dataclass
class TestReport:
    summary_found: bool = False
    run: int = 0
    failed: int = 0
    errors: int = 0
    skips: list = field(default_factory=list)          # (test, reason)
    dependency_skips: list = field(default_factory=list)
    test_failures: list = field(default_factory=list)  # Record (FAIL:/ERROR: of a test)
    other_errors: list = field(default_factory=list)   # Record ERROR/CRITICAL outside tests

    @property
    def skipped(self):
        return len(self.skips)

    @property
    def passed(self):
        return max(self.run - self.failed - self.errors - self.skipped, 0)


def records(lines):
    """Group raw log lines into records; lines before the first record (and
    stray non-log output) become records of level ``OUTPUT``."""
    current = None
    for raw in lines:
        line = raw.rstrip("\n")
        match = RECORD_RE.match(line)
        if match:
            if current:
                yield current
            # Odoo ends every record with " %(perf_info)s": strip the blank
            current = Record(match["level"], match["db"], match["logger"], match["message"].rstrip(),
                             [line])
        elif current:
            current.lines.append(line)
        elif line.strip():
            yield Record("OUTPUT", "?", "", line, [line])
    if current:
        yield current


def problems(lines, levels=("WARNING",) + PROBLEM_LEVELS):
    """Records at ``levels`` (used by the install tests: no warning allowed)."""
    return [rec for rec in records(lines) if rec.level in levels]


def parse_test_log(lines, db=None):
    """Test summary of a ``--test-enable`` log. An ERROR/CRITICAL record of a
    non-test logger logged while a test runs is attributed to that test: it
    is not counted again if the test failed (e.g. ``odoo.sql_db: bad query``
    before the test's ERROR), and counts as a failure if the test passed."""
    report = TestReport()
    current = None          # description of the running test ("Class.method")
    during = {}             # test -> ERROR records of other loggers during it
    failed_tests = []       # FAIL:/ERROR: messages
    for rec in records(lines):
        if rec.logger == "odoo.tests.result":
            match = SUMMARY_RE.match(rec.message)
            if match and (db is None or match["db"] == db):
                report.summary_found = True
                report.failed = int(match["failed"])
                report.errors = int(match["errors"])
                report.run = int(match["run"])
                continue
        if rec.level == "INFO":
            started = START_RE.match(rec.message)
            if started and rec.from_test:
                current = started["test"]
                continue
            if rec.logger in BETWEEN_TESTS_LOGGERS:
                current = None
        skip = SKIP_RE.match("\n".join([rec.message] + rec.lines[1:]))
        # class-level skips (setUpClass) are logged by unittest's _ErrorHolder
        if skip and rec.level == "INFO" and (rec.from_test or rec.logger.startswith("unittest")):
            entry = (skip["test"], skip["reason"].strip())
            report.skips.append(entry)
            if DEPENDENCY_SKIP_RE.search(entry[1]):
                report.dependency_skips.append(entry)
            continue
        if rec.level not in PROBLEM_LEVELS:
            continue
        if rec.from_test:
            # FAIL:/ERROR: of the result, or logged by a test itself: the
            # summary counts the failure, if any
            report.test_failures.append(rec)
            if TEST_RESULT_RE.match(rec.message):
                failed_tests.append(rec.message)
        elif rec.logger == "odoo.tests.result" or (
                rec.logger == "odoo.modules.loading" and ACCOUNTED_ERRORS.match(rec.message)):
            continue
        elif current:
            during.setdefault(current, []).append(rec)
        else:
            report.other_errors.append(rec)
    for test, recs in during.items():
        if not any(test in message for message in failed_tests):
            report.other_errors.extend(recs)
    return report
