"""The pytest plugin: one test per fence, located failures, later fences not run."""

from __future__ import annotations

FENCE = "```"

PAGE = f"""
# Page

{FENCE}python
x = 1
{FENCE}

{FENCE}python
assert x == 2, "x should be 2"
{FENCE}

{FENCE}python
print("after")
{FENCE}
"""


def test_failing_fence_fails_at_its_line_and_later_fences_are_not_run(pytester, pytester_project):
    pytester_project.page(PAGE)
    result = pytester.runpytest_subprocess("-p", "no:codeblocks", "-rs", "docs")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*docs/page.md:8: AssertionError: x should be 2*",
            "*not run: an earlier fence failed at docs/page.md:7*",
        ]
    )


def test_snippets_run_as_scripts_and_passing_pages_are_recorded(pytester, pytester_project):
    pytester_project.page(PAGE)
    (pytester.path / "docs" / "page.md").write_text("# Page\n\n```python\nx = 2\n```\n")
    pytester_project.write(
        "snippets/demo/ok.py", 'if __name__ == "__main__":\n    print("ran as a script")\n'
    )
    pytester_project.write("snippets/demo/broken.py", "import nonexistent_module\n")
    result = pytester.runpytest_subprocess("-p", "no:codeblocks", "docs", "snippets")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*broken.py*ModuleNotFoundError*"])
    assert (pytester.path / ".cache" / "pagerun" / "docs__page.md.json").is_file()


def test_pages_are_safe_under_xdist_with_any_distribution(pytester, pytester_project):
    pytester_project.page(PAGE)
    (pytester.path / "docs" / "page.md").write_text(
        "# Page\n\n```python\nx = 2\n```\n\n```python\nassert x == 2\n```\n\n"
        "```python\nassert x * 2 == 4\n```\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:codeblocks", "-n", "2", "--dist", "load", "docs"
    )
    result.assert_outcomes(passed=3)
