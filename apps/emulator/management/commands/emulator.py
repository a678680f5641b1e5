"""`python manage.py emulator --port 9100 --scenario demo --seed 1`"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.emulator import scenarios
from apps.emulator.factory import make_emulator
from apps.emulator.faults import Fault


class Command(BaseCommand):
    help = "Run the local Tencent Cloud (Batch and Omics) emulator on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=9100)
        parser.add_argument("--host", default="127.0.0.1", help="bind address (keep it local)")
        parser.add_argument("--scenario", default="demo", choices=scenarios.SCENARIOS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="ACTION:name=value,...",
            help="inject faults, e.g. DescribeJobs:internal_error=0.1,latency=0.2 ('*' = all)",
        )
        parser.add_argument(
            "--other-client-share",
            type=float,
            default=0.0,
            help="part of every rate budget an invisible client consumes (0..1)",
        )
        parser.add_argument("--no-limits", action="store_true", help="disable the frequency limits")
        for name in ("finished", "active", "tasks", "instances"):
            parser.add_argument(f"--{name}", type=int, help=f"scale scenario: {name}")

    def handle(self, *args: Any, **opts: Any) -> None:
        options = {
            k: opts[k] for k in ("finished", "active", "tasks", "instances") if opts[k] is not None
        }
        if options and opts["scenario"] != "scale":
            raise CommandError("--finished/--active/--tasks/--instances apply to --scenario scale")
        emulator = make_emulator(
            opts["scenario"],
            seed=opts["seed"],
            speed=opts["speed"],
            limits_enabled=not opts["no_limits"],
            **options,
        )
        try:
            for text in opts["fault"]:
                emulator.faults.set(*Fault.parse(text))
        except ValueError as err:
            raise CommandError(str(err)) from None
        emulator.limits.other_client_share = opts["other_client_share"]
        try:
            emulator.serve(opts["host"], opts["port"])
        except OSError as err:
            raise CommandError(f"cannot listen on {opts['host']}:{opts['port']}: {err}") from None
        secret_id, secret_key = next(iter(emulator.keys.items()))
        self.stdout.write(
            f"Emulator on http://{opts['host']}:{emulator.port} "
            f"(scenario {opts['scenario']}, seed {opts['seed']}, speed {opts['speed']}x)\n"
            f"  demo key pair: TENCENTCLOUD_SECRET_ID={secret_id}\n"
            f"                 TENCENTCLOUD_SECRET_KEY={secret_key}\n"
            f"  stats: http://{opts['host']}:{emulator.port}/_emulator/stats"
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            emulator.stop()
