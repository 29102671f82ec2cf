"""Command line: ``python -m pagerun run PAGE...`` prints each fence's output.

``python -m pagerun bench`` measures the engine (see ``pagerun.bench``).
"""

from __future__ import annotations

import argparse
import sys

from pagerun.errors import PageError
from pagerun.session import run_page


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments, without the program name.

    Returns:
        The exit status: 0 when every page ran.
    """
    parser = argparse.ArgumentParser(prog="python -m pagerun")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run pages and print each fence's output")
    run.add_argument("pages", nargs="+")
    bench = commands.add_parser("bench", help="measure execution and build times")
    bench.add_argument("pages", nargs="*", help="pages to measure (default: every chapter)")
    bench.add_argument("--no-build", action="store_true", help="skip the mkdocs build timings")
    args = parser.parse_args(argv)
    if args.command == "bench":
        from pagerun.bench import benchmark

        return benchmark(args.pages, build=not args.no_build)
    status = 0
    for path in args.pages:
        try:
            result = run_page(path)
        except (PageError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        for cell in result.cells:
            print(f"--- {cell.location} [{cell.status}, {cell.seconds:.2f} s]")
            if cell.output:
                print(cell.output, end="" if cell.output.endswith("\n") else "\n")
            if cell.value:
                print(cell.value.text)
            for figure in cell.figures:
                print(f"[figure: {figure.alt}]")
            if cell.reason:
                print(f"[{cell.reason}]")
            if cell.error:
                print(cell.error, file=sys.stderr)
        status = status or (0 if result.ok else 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
