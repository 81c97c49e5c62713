"""The parser `make test` uses to read Odoo's test log (scripts/ops/odoo_log.py),
on log lines in the exact format Odoo 19 writes."""

from scripts.ops import odoo_log

T = "2026-01-01 10:00:00,000 4242"
MOD = "odoo.addons.charge_x.tests.test_x"


def parse(*lines):
    return odoo_log.parse_test_log([line + "\n" for line in lines], db="charge_test")


def test_summary_and_skips():
    report = parse(
        f"{T} INFO charge_test {MOD}: Starting TestX.test_a ... ",
        f"{T} INFO charge_test {MOD}: Starting TestX.test_b ... ",
        f"{T} INFO charge_test {MOD}: skipped TestX.test_b : intentional ",
        f"{T} INFO charge_test {MOD}: Starting TestX.test_c ... ",
        f"{T} INFO charge_test {MOD}: skipped TestX.test_c : Chrome executable not found ",
        f"{T} INFO charge_test odoo.tests.result: 0 failed, 0 error(s) of 3 tests "
        "when loading database 'charge_test' ",
    )
    assert report.summary_found
    assert (report.run, report.failed, report.errors, report.skipped, report.passed) == (3, 0, 0, 2, 1)
    assert report.dependency_skips == [("TestX.test_c", "Chrome executable not found")]
    assert report.other_errors == []


def test_failures_and_errors_outside_tests():
    report = parse(
        f"{T} ERROR charge_test odoo.addons.charge_x.models.x: broken at install ",
        f"{T} INFO charge_test {MOD}: Starting TestX.test_a ... ",
        f"{T} ERROR charge_test odoo.sql_db: bad query: INSERT ...",
        "ERROR: null value in column violates not-null constraint",
        f"{T} ERROR charge_test {MOD}: ERROR: TestX.test_a",
        "Traceback (most recent call last):",
        f"{T} INFO charge_test {MOD}: Starting TestX.test_b ... ",
        f"{T} ERROR charge_test odoo.addons.charge_x.models.x: logged but test passed ",
        f"{T} ERROR charge_test odoo.modules.loading: Module charge_x: 0 failures, 1 errors of 2 tests ",
        f"{T} ERROR charge_test odoo.modules.loading: At least one test failed when loading the modules. ",
        f"{T} ERROR charge_test odoo.tests.result: 0 failed, 1 error(s) of 2 tests "
        "when loading database 'charge_test' ",
    )
    assert (report.run, report.failed, report.errors, report.passed) == (2, 0, 1, 1)
    assert [rec.message for rec in report.test_failures] == ["ERROR: TestX.test_a"]
    assert report.test_failures[0].lines[1] == "Traceback (most recent call last):"
    # the bad query belongs to the failed test; the two others count
    assert [rec.message for rec in report.other_errors] == [
        "broken at install", "logged but test passed"]


def test_no_summary_when_odoo_crashed():
    report = parse(
        "Running as user 'root' is a security risk.",
        f"{T} CRITICAL charge_test odoo.service.server: Failed to initialize database `charge_test`.",
        "Traceback (most recent call last):",
    )
    assert not report.summary_found
    assert [rec.level for rec in report.other_errors] == ["CRITICAL"]


def test_problems_lists_warnings_too():
    found = odoo_log.problems([
        f"{T} INFO db odoo.modules.loading: Modules loaded. \n",
        f"{T} WARNING db odoo.models: charge.x: inconsistent 'compute_sudo' \n",
    ])
    assert [(rec.level, rec.logger) for rec in found] == [("WARNING", "odoo.models")]


def test_docutils_noise_of_odoo_core_is_logged_but_not_echoed():
    from scripts.ops import process

    assert not process.echoed("<string>:38: (ERROR/3) Unexpected indentation.\n")
    assert not process.echoed("<string>:43: (WARNING/2) Block quote ends without a blank line; unexpected unindent.\n")
    assert process.echoed(f"{T} ERROR charge odoo.modules.loading: <string>:38: (ERROR/3) x\n")
    assert process.echoed("Traceback (most recent call last):\n")
