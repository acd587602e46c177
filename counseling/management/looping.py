"""The base of the commands that put stuck work back on the queue, once or in a loop."""

import argparse
import signal
import time

from django.core.management.base import BaseCommand, DjangoHelpFormatter
from django.db import close_old_connections


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the examples of a command's docstring as they are written."""


class LoopingCommand(BaseCommand):
    """Runs `run_once(**options)` once, or again every --loop seconds until SIGTERM or
    Ctrl-C. In a loop a failed run is reported and the next one tried: these commands are
    the safety net for when the broker or the database is down, so they must outlive it."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="Run again every SECONDS until stopped (SIGTERM or Ctrl-C).",
        )

    def run_once(self, **options):
        raise NotImplementedError

    def handle(self, *args, loop=None, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        stopping = []
        if loop:
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            try:
                self.run_once(**options)
            except Exception as exc:
                if not loop:
                    raise
                self.stderr.write(f"{name}: {type(exc).__name__}: {exc}")
            if not loop:
                return
            try:
                deadline = time.monotonic() + loop
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(1.0, loop))
            except KeyboardInterrupt:
                return
            if stopping:
                return
            close_old_connections()  # a long loop must survive a database restart
