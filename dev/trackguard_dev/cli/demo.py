"""`trackguard demo`: a realistic day of orders with planted faults through the local stack, scored.

It uses the stack that `make run` serves (the same state directory) when one runs, else it starts one and
stops it at the end.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from trackguard_dev.demo.driver import Observations
    from trackguard_dev.demo.scenario import Scenario
    from trackguard_dev.demo.scoring import Score


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser("demo", help="a day of orders with planted faults through the local stack")
    demo.add_argument("--orders", type=int, default=300, help="how many orders (default 300)")
    demo.add_argument("--seed", type=int, default=2026, help="the same seed plans the same day")
    demo.add_argument(
        "--reports-dir", type=Path, default=Path("demo-reports"), help="where reports are saved"
    )
    demo.set_defaults(handler=_demo)


class _RichPhases:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def phase(self, description: str, total: int) -> Callable[[int], None]:
        task = self._progress.add_task(description, total=total)
        return lambda advance: self._progress.advance(task, advance)


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from trackguard_dev.demo.day import plan_day
    from trackguard_dev.demo.driver import driving
    from trackguard_dev.demo.scoring import score
    from trackguard_dev.demo.stack import local_stack

    console = Console()
    scenario = plan_day(args.seed, args.orders, datetime.now(UTC))
    console.print(
        f"planned {len(scenario.orders)} orders of {len(scenario.sellers)} sellers (seed {args.seed}), "
        f"day starting {scenario.day_start:%Y-%m-%d %H:%M} UTC"
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        local_stack() as stack,
        Progress(*columns, console=console) as progress,
        driving(stack, scenario, _RichPhases(progress), args.reports_dir) as driver,
    ):
        observed = driver.run()
    result = score(scenario.expected_flags(), observed.flags)
    _print_results(console, scenario, observed, result)
    return 0


def _print_results(console: Console, scenario: Scenario, observed: Observations, result: Score) -> None:
    from rich.table import Table

    table = Table(title="flags: planted against flagged (open flags of the demo's orders)")
    for column in ("code", "planted", "flagged", "missed", "false"):
        table.add_column(column, justify="left" if column == "code" else "right")
    for row in result.rows:
        table.add_row(row.code, str(row.planted), str(row.flagged), str(row.missed), str(row.false))
    console.print(table)
    for seller_id, order_id, code in sorted(result.missed):
        console.print(f"missed: {code} on order {order_id} of {seller_id}")
    for seller_id, order_id, code in sorted(result.false):
        console.print(f"false: {code} on order {order_id} of {seller_id}")
    console.print(f"carrier routes: {dict(sorted(observed.routes.items()))}")
    shop, carrier = observed.median_ms("shop"), observed.median_ms("carrier")
    console.print(f"median webhook answer: shop {shop:.1f} ms, carrier {carrier:.1f} ms")
    for route_path, resends in sorted(observed.resent.items()):
        console.print(f"resent after a 5xx, as the sender would: {route_path} ×{resends}")
    console.print(
        f"reconciler as_of: {', '.join(f'{moment:%Y-%m-%d %H:%M}' for moment in observed.as_of)} UTC"
    )
    for seller in scenario.sellers:
        for key in observed.report_keys.get(seller.seller_id, []):
            console.print(f"report {key}")
        for path in observed.report_files.get(seller.seller_id, []):
            console.print(f"downloaded {path}")
    console.print(f"precision: {result.precision:.2f}")
    console.print(f"recall: {result.recall:.2f}")
