"""Command line.

- ``python -m pagerun run PAGE...`` prints each fence's output.
- ``python -m pagerun render OUT`` writes every page of ``docs/`` as Markdown
  with its outputs inlined, plus the notebooks, for any site generator.
- ``python -m pagerun bench`` measures the engine (see ``pagerun.bench``).
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
    render = commands.add_parser(
        "render", help="write every page as Markdown with its outputs, and the notebooks"
    )
    render.add_argument("out", help="output folder: OUT/docs, OUT/mkdocs.yml")
    render.add_argument(
        "--no-execute", action="store_true", help="reuse current records only; run nothing"
    )
    args = parser.parse_args(argv)
    if args.command == "render":
        return _render(args.out, execute=not args.no_execute)
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


def _render(out: str, execute: bool) -> int:
    from pathlib import Path

    from pagerun.build import render_tree
    from pagerun.config import find_root

    try:
        build = render_tree(find_root(Path.cwd()), Path(out).resolve(), execute=execute)
    except PageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"rendered into {out}/docs: {len(build.executed)} page(s) executed, "
        f"{len(build.reused)} reused, {len(build.notebooks)} notebook(s)"
        + (f", {len(build.not_run)} without outputs (no current record)" if build.not_run else "")
    )
    print(f"build it with: PAGERUN_ENABLED=false mkdocs build -f {out}/mkdocs.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
