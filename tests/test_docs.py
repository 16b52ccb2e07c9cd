"""Documentation that cannot drift: the README's commands, options and Quick start are checked
against the real CLI and against `.ci/run`."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from readouts.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def commands_table() -> list[str]:
    """The usage cell of each row of the Commands table, markdown escapes undone."""
    rows = []
    for line in section("Commands").splitlines():
        match = re.match(r"^\|\s*`(readouts [^`]+)`\s*\|", line)
        if match:
            rows.append(match.group(1).replace("\\|", "|"))
    assert rows, "no commands found in the README's Commands table"
    return rows


def help_text(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], prog_name="readouts", terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def cli_commands() -> set[str]:
    text = help_text()
    listing = text.split("Commands:", 1)[1]
    return {m.group(1) for m in re.finditer(r"^\s{2}(\S+)", listing, re.M)}


USAGES = commands_table()
NAMES = [usage.split()[1] for usage in USAGES]


def test_the_table_lists_the_main_commands():
    assert {"extract", "ingest", "query", "export", "eval"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_readme_command_exists(name):
    assert name in cli_commands()


def options_of(usage: str) -> list[tuple[str, list[str]]]:
    """(option, choices shown as a|b|c after it) for each option in a usage cell."""
    out = []
    for match in re.finditer(r"(?<![\w-])(--?[A-Za-z][\w-]*)(?:\s+([a-z0-9]+(?:\|[a-z0-9]+)+))?", usage):
        choices = match.group(2).split("|") if match.group(2) else []
        out.append((match.group(1), choices))
    return out


OPTION_CASES = [(usage.split()[1], opt, choices) for usage in USAGES for opt, choices in options_of(usage)]


def test_the_table_shows_options():
    shown = {opt for _, opt, _ in OPTION_CASES}
    assert {"--db", "--country", "--format", "-o"} <= shown


@pytest.mark.parametrize("name, option, choices", OPTION_CASES,
                         ids=[f"{n} {o}" for n, o, _ in OPTION_CASES])
def test_readme_option_is_in_the_command_help(name, option, choices):
    text = help_text(name)
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), f"{option} not in `readouts {name} --help`"
    for choice in choices:
        assert re.search(rf"[\[|]{re.escape(choice)}[|\]]", text), f"{option} {choice} not in `readouts {name} --help`"


def quick_start_blocks() -> list[list[str]]:
    blocks = re.findall(r"^```bash\n(.*?)^```", section("Quick start"), re.M | re.S)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def test_quick_start_is_two_one_line_bash_commands():
    blocks = quick_start_blocks()
    assert len(blocks) == 2
    assert sum(len(b) for b in blocks) == 2
    assert all(len(b) == 1 for b in blocks)


def test_quick_start_test_command():
    assert quick_start_blocks()[1] == [TEST_COMMAND]


def test_quick_start_uses_real_commands_and_paths():
    first = quick_start_blocks()[0][0]
    for part in first.split("&&")[1:]:
        words = shlex.split(part)
        assert words[0] == "readouts" and words[1] in cli_commands(), part
    assert (ROOT / "examples").is_dir()


def _without_pip_verbosity(line: str) -> str:
    words = [w for w in shlex.split(line, comments=True) if w not in ("-q", "--quiet", "-qq")]
    return shlex.join(words)


def test_ci_runs_the_readme_test_command():
    """`.ci/run` runs the README's test command (pip's --quiet aside, which changes nothing run)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    wanted = _without_pip_verbosity(quick_start_blocks()[1][0])
    assert wanted == _without_pip_verbosity(TEST_COMMAND)
    commands = [_without_pip_verbosity(line) for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert wanted in commands, f"{TEST_COMMAND!r} not run by .ci/run"


DOC_PATH = re.compile(r"`((?:docs|src|examples|bench|tests)/[\w./-]+\.(?:md|toml|py|jsonl|json))`|\b((?:docs|eval)/[\w-]+\.md)\b")


def _referenced_paths(text: str) -> set[str]:
    return {a or b for a, b in DOC_PATH.findall(text)}


def test_every_file_the_readme_names_is_in_the_repository():
    paths = _referenced_paths(README)
    assert "docs/FORMAT.md" in paths
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


@pytest.mark.parametrize("command", sorted(cli_commands()))
def test_every_file_the_help_names_is_in_the_repository(command):
    paths = _referenced_paths(help_text(command))
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
