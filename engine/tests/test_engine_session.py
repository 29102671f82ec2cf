"""The engine runs a page like a notebook, each page from a clean start."""

from __future__ import annotations

import os

import torch

from pagerun import run_page

FENCE = "```"


def test_fences_share_one_namespace_and_show_the_last_expression(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        x = 21
        print("set x")
        {FENCE}

        {FENCE}python
        x * 2
        {FENCE}

        {FENCE}python
        x * 3;
        {FENCE}
        """
    )
    run = run_page(page)
    assert run.ok
    assert run.cells[0].output == "set x\n" and run.cells[0].value is None
    assert run.cells[1].value.text == "42"
    assert run.cells[2].value is None  # a trailing semicolon hides the value


def test_figures_are_captured_with_alt_text_and_closed(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(label="A rising line")
        ax.plot([1, 2, 3])
        {FENCE}

        {FENCE}python
        plt.figure()
        plt.plot([3, 2, 1])
        plt.title("Falling")
        print(len(plt.get_fignums()))
        {FENCE}
        """
    )
    first, second = run_page(page).cells
    assert [f.alt for f in first.figures] == ["A rising line"]
    assert first.figures[0].png.startswith("iVBOR")  # base64 of the PNG signature
    assert second.output == "1\n"  # the first fence's figure was closed after it
    assert [f.alt for f in second.figures] == ["Falling"]
    assert first.value is None  # matplotlib objects are shown as figures, not reprs


def test_pandas_values_carry_html(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        import pandas as pd
        pd.DataFrame({{"a": [1, 2]}})
        {FENCE}
        """
    )
    value = run_page(page).cells[0].value
    assert "<table" in value.html and "a" in value.text


def test_every_page_starts_clean(project):
    text = f"""
        # Page

        {FENCE}python
        import os, torch
        print(os.getcwd() != START, torch.rand(1).item())
        torch.set_default_dtype(torch.float64)
        os.environ["PAGERUN_TEST_LEAK"] = "1"
        {FENCE}
        """
    first = project.page(text.replace("START", repr(os.getcwd())), "one.md")
    second = project.page(text.replace("START", repr(os.getcwd())), "two.md")
    out_one = run_page(first).cells[0].output
    out_two = run_page(second).cells[0].output
    assert out_one == out_two  # same seed, and a fresh folder, for each page
    assert out_one.startswith("True ")
    assert torch.get_default_dtype() == torch.float32
    assert "PAGERUN_TEST_LEAK" not in os.environ


def test_stdout_and_stderr_are_both_recorded_in_order(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        import sys, warnings
        print("first")
        print("second", file=sys.stderr)
        warnings.warn("careful")
        {FENCE}
        """
    )
    output = run_page(page).cells[0].output
    assert output.index("first") < output.index("second") < output.index("careful")


def test_skip_marker_records_the_reason_and_does_not_run(project):
    page = project.page(
        f"""
        # Page

        <!--pytest.mark.skip(reason="online only: needs an account")-->
        {FENCE}python
        raise SystemExit("must not run")
        {FENCE}

        {FENCE}python
        print("still runs")
        {FENCE}
        """
    )
    skipped, after = run_page(page).cells
    assert skipped.status == "skipped" and skipped.reason == "online only: needs an account"
    assert after.status == "ok" and after.output == "still runs\n"


def test_xfail_fence_shows_its_error_and_fails_when_nothing_is_raised(project):
    page = project.page(
        f"""
        # Page

        <!--pytest.mark.xfail(raises=ZeroDivisionError, reason="teaches the error")-->
        {FENCE}python
        1 / 0
        {FENCE}

        <!--pytest.mark.xfail(raises=ZeroDivisionError, reason="should raise")-->
        {FENCE}python
        1 / 1
        {FENCE}
        """
    )
    taught, wrong = run_page(page).cells
    assert taught.status == "ok" and "ZeroDivisionError: division by zero" in taught.output
    assert wrong.status == "error" and "did not" in str(wrong.error)
    assert str(wrong.error).startswith("docs/page.md:9:")


def test_expected_output_block_is_checked(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        print("4")
        {FENCE}

        <!--pytest-codeblocks:expected-output-->
        {FENCE}text
        5
        {FENCE}
        """
    )
    cell = run_page(page).cells[0]
    assert cell.status == "error" and "differs from the expected-output block" in str(cell.error)


def test_importorskip_skips_with_a_reason(project):
    page = project.page(
        f"""
        # Page

        <!--pytest-codeblocks:importorskip(no_such_module_here)-->
        {FENCE}python
        import no_such_module_here
        {FENCE}
        """
    )
    cell = run_page(page).cells[0]
    assert cell.status == "skipped" and "no_such_module_here" in cell.reason


def test_fences_inside_admonitions_and_console_fences(project):
    page = project.page(
        f"""
        # Page

        {FENCE}console
        $ rm -rf /
        {FENCE}

        ??? success "Solution"

            {FENCE}python
            print("indented")
            {FENCE}
        """
    )
    run = run_page(page)
    assert len(run.cells) == 1 and run.cells[0].output == "indented\n"
