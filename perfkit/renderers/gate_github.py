"""GitHub Actions: a job summary in Markdown and ``::error`` annotations at the call sites."""

# No ``from __future__ import annotations`` here: the function ``annotations`` below would
# shadow it (mypy then takes ``github.annotations`` for the __future__ feature).
from perfkit.gate.findings import GateResult


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(result: GateResult) -> list[str]:
    """Workflow commands, one per failed finding, pointing at the line behind it."""
    lines = []
    for finding in result.failed:
        title = _escape_property(f"perfkit {finding.check}: {finding.view}")
        location = finding.location()
        where = f"file={_escape_property(location[0])},line={location[1]}," if location else ""
        lines.append(f"::error {where}title={title}::{_escape_data(finding.message)}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary(result: GateResult) -> str:
    """The job summary: the verdict, then a table of every failed or skipped check."""
    verdict = "✅ perfkit gate passed" if result.passed else "❌ perfkit gate failed"
    lines = [f"## {verdict}", ""]
    lines += [f"> {note}" for note in result.notes]
    shown = [f for f in result.findings if not f.passed or f.skipped]
    if shown:
        lines += ["", "| view | check | result | details |", "|---|---|---|---|"]
        for f in shown:
            state = "skipped" if f.skipped else "**failed**"
            lines.append(f"| `{_cell(f.view)}` | {f.check} | {state} | {_cell(f.message)} |")
    passed = sum(f.passed and not f.skipped for f in result.findings)
    lines += ["", f"{passed} checks passed, {len(result.failed)} failed."]
    return "\n".join(lines) + "\n"
