"""The module map of docs/architecture.md: every module of the package with the first sentence of its
docstring, grouped by folder. ``python tools/module_map.py`` prints it; ``--write`` puts it in the doc."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

LONGEST = 120  # characters of a description, so the map reads as one line a module
ROOT = Path(__file__).resolve().parent.parent / "octodesk"


def first_sentence(path: Path) -> str:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(docstring.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    sentence = (match.group(1) if match else text).rstrip(".")
    if len(sentence) <= LONGEST:
        return sentence
    return sentence[:LONGEST].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def module_lines(root: Path = ROOT) -> list[str]:
    lines = []
    for folder in sorted({path.parent for path in root.rglob("*.py")}):
        relative = folder.relative_to(root.parent).as_posix()
        lines.append(f"{relative}/")
        for path in sorted(folder.glob("*.py")):
            if path.name == "__main__.py":
                continue
            lines.append(f"  {path.name:<24}{first_sentence(path)}")
    return lines


def write_into(document: Path) -> None:
    """Replace the code block under "## Module map" with the current map."""
    text = document.read_text(encoding="utf-8")
    heading = text.index("## Module map")
    start = text.index("```\n", heading) + 4
    end = text.index("```\n", start)
    document.write_text(text[:start] + "\n".join(module_lines()) + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_into(ROOT.parent / "docs" / "architecture.md")
    else:
        sys.stdout.write("\n".join(module_lines()) + "\n")
