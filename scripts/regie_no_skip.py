"""pytest plugin: a skipped test fails the run.

Odoo skips browser tours when Chromium or websocket-client is missing, and
pytest-odoo skips every HttpCase without --odoo-http; a green run must mean
that every test really ran.
"""

SKIPPED = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if SKIPPED and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SKIPPED:
        terminalreporter.write_line(
            f"FAILED: {len(SKIPPED)} test(s) skipped; every test must run "
            "(is Chromium, wkhtmltopdf or websocket-client missing?):",
            red=True,
        )
        for nodeid in SKIPPED:
            terminalreporter.write_line(f"  {nodeid}", red=True)
