"""Helpers shared by the benchmarks: boot Odoo on a database, time and count."""

import argparse
import statistics
import time
from contextlib import contextmanager

import odoo
from odoo.api import SUPERUSER_ID, Environment
from odoo.modules.registry import Registry


def parse_args(description, add_arguments=None, odoo_options=()):
    """Parse the benchmark's arguments and configure Odoo with them.

    :param add_arguments: called with the parser to add the script's own
    :param odoo_options: callable returning extra Odoo options from the args
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir")
    parser.add_argument("--repeat", type=int, default=3)
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    options = [
        f"--addons-path={args.addons_path}",
        "--log-level=warn",
        "--max-cron-threads=0",
    ]
    if args.data_dir:
        options.append(f"--data-dir={args.data_dir}")
    if odoo_options:
        options += odoo_options(args)
    odoo.tools.config.parse_config(options)
    return args


@contextmanager
def environment(db, context=None):
    """A superuser environment in a transaction that is always rolled back."""
    registry = Registry(db)
    with registry.cursor() as cr:
        try:
            yield Environment(
                cr,
                SUPERUSER_ID,
                {"tracking_disable": True} if context is None else context,
            )
        finally:
            cr.rollback()


class Measure:
    """Wall time and SQL queries of one block, kept per label."""

    def __init__(self, env, verbose=False):
        self.env = env
        self.samples = {}
        self.cpu = {}
        self.verbose = verbose
        # Wall time, CPU time and queries of the blocks left out (excluded).
        self._excluded = [0.0, 0.0, 0]

    def _commit_work(self):
        """What a request's commit does before COMMIT: flush, then the
        precommit hooks (the chatter's tracking messages among them)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()

    @contextmanager
    def __call__(self, label):
        self._commit_work()
        queries = self.env.cr.sql_log_count
        start, cpu = time.perf_counter(), time.process_time()
        excluded = list(self._excluded)
        yield
        self._commit_work()
        left_out = [
            now - before for now, before in zip(self._excluded, excluded, strict=True)
        ]
        elapsed = time.perf_counter() - start - left_out[0]
        queries = self.env.cr.sql_log_count - queries - left_out[2]
        self.samples.setdefault(label, []).append((elapsed, queries))
        # CPU time of this process (Odoo, not PostgreSQL): steadier than the
        # wall time on a loaded machine.
        self.cpu[label] = (
            self.cpu.get(label, 0.0) + time.process_time() - cpu - left_out[1]
        )
        if self.verbose:
            print(
                f"  .. {label}: {elapsed:.2f} s ({self.cpu[label]:.2f} s CPU), "
                f"{queries} queries",
                flush=True,
            )

    @contextmanager
    def excluded(self):
        """A block left out of the measures it runs in: what the server does
        between two requests (PostgreSQL's autovacuum), not the request."""
        queries = self.env.cr.sql_log_count
        start, cpu = time.perf_counter(), time.process_time()
        yield
        self._excluded[0] += time.perf_counter() - start
        self._excluded[1] += time.process_time() - cpu
        self._excluded[2] += self.env.cr.sql_log_count - queries

    def median(self, label):
        times = [t for t, _q in self.samples[label]]
        queries = [q for _t, q in self.samples[label]]
        return statistics.median(times), statistics.median(queries)

    def total(self, label):
        return (
            sum(t for t, _q in self.samples[label]),
            sum(q for _t, q in self.samples[label]),
        )

    def report(self, reference, candidate, title):
        ref_t, ref_q = self.median(reference)
        cand_t, cand_q = self.median(candidate)
        lines = [
            title,
            f"  {reference:<40} {ref_t:8.3f} s  {ref_q:6.0f} queries",
            f"  {candidate:<40} {cand_t:8.3f} s  {cand_q:6.0f} queries",
            f"  ratio {candidate} / {reference}: time {cand_t / ref_t:.2f}, "
            f"queries {cand_q / max(ref_q, 1):.2f}",
        ]
        print("\n".join(lines), flush=True)
        return cand_t / ref_t
