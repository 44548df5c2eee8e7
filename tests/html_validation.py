"""Validate HTML with the Nu Html Checker (npm ``vnu-jar``, run on the installed Java)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validate_html(documents: dict[str, str], workdir: Path) -> list[str]:
    """Validate every named HTML document in one Java run; return "name: message" errors."""
    names = {}
    for index, (name, html) in enumerate(documents.items()):
        path = workdir / f"page-{index}.html"
        path.write_text(html, encoding="utf-8")
        names[path.resolve().as_uri()] = name
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, sorted(workdir.glob("page-*.html")))],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(result.stderr or '{"messages": []}')
    return [
        f"{names.get(message.get('url', ''), message.get('url'))}: line {message.get('lastLine')}: {message['message']}"
        for message in report["messages"]
        if message.get("type") == "error"
    ]
