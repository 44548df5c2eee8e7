"""Render docs/clinical-safety/hazard-log.yaml to hazard-log.md, and check that every test the
log names exists (path exists and defines that test function).

Usage: python scripts/hazard_log.py [--check]   (--check: exit 1 if the .md is out of date)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "clinical-safety" / "hazard-log.yaml"
RENDERED = ROOT / "docs" / "clinical-safety" / "hazard-log.md"


def load() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def named_tests(log: dict) -> list[str]:  # type: ignore[type-arg]
    return [test for hazard in log["hazards"] for control in hazard["controls"] for test in control["tests"]]


def missing_tests(log: dict) -> list[str]:  # type: ignore[type-arg]
    """Node ids in the log whose file or test function does not exist."""
    missing = []
    for node_id in named_tests(log):
        path, _, name = node_id.partition("::")
        name = name.split("[", 1)[0].split("::")[-1]
        file = ROOT / path
        if not file.is_file() or not re.search(rf"^\s*def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M):
            missing.append(node_id)
    return missing


def render(log: dict) -> str:  # type: ignore[type-arg]
    lines = [
        "# Hazard log", "",
        "Generated from `hazard-log.yaml` by `make hazard-log`; edit the YAML, not this file.",
        f"Clinical safety officer: {log['clinical_safety_officer']}.", "",
        "Risk is rated 1 (acceptable) to 5 (unacceptable) from severity and likelihood (DCB0129).", "",
        "| Hazard | Initial risk | Residual risk | Status |", "| --- | --- | --- | --- |",
    ]
    for hazard in log["hazards"]:
        lines.append(f"| {hazard['id']}: {hazard['title']} | {hazard['initial']['risk']} | "
                     f"{hazard['residual']['risk']} | {hazard['status']} |")
    for hazard in log["hazards"]:
        lines += ["", f"## {hazard['id']}: {hazard['title']}", "", "**Causes**", ""]
        lines += [f"- {cause}" for cause in hazard["causes"]]
        lines += ["", f"**Effect:** {hazard['effect']}", "", f"**Harm:** {hazard['harm']}", "",
                  "**Initial risk:** {severity} severity, {likelihood} likelihood, risk {risk}.".format(**hazard["initial"]),
                  "", "**Controls**", ""]
        for control in hazard["controls"]:
            lines.append(f"- {control['description']}")
            lines += [f"  - proved by `{test}`" for test in control["tests"]] or ["  - no automated test: a deployer or process control"]
        lines += ["", "**Residual risk:** {severity} severity, {likelihood} likelihood, risk {risk}.".format(**hazard["residual"]),
                  "", f"**Status:** {hazard['status']}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    log = load()
    missing = missing_tests(log)
    for node_id in missing:
        print(f"hazard log names a test that does not exist: {node_id}")
    text = render(log)
    if "--check" in argv:
        if RENDERED.read_text(encoding="utf-8") != text:
            print("hazard-log.md is out of date: run `make hazard-log`.")
            return 1
    else:
        RENDERED.write_text(text, encoding="utf-8")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
