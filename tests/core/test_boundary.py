"""lstm_core is pure computation: it must never import streamlit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CORE = REPO_ROOT / "lstm_core"


def test_importing_lstm_core_does_not_load_streamlit():
    code = (
        "import sys, lstm_core\n"
        "import importlib, pkgutil\n"
        "for m in pkgutil.walk_packages(lstm_core.__path__, 'lstm_core.'):\n"
        "    if m.name != 'lstm_core.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "assert 'streamlit' not in sys.modules, 'lstm_core loaded streamlit'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_streamlit():
    sources = sorted(CORE.rglob("*.py"))
    assert sources, f"no Python files under {CORE}"
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in sources
        if any(name.split(".")[0] == "streamlit" for name in _imported_modules(path))
    ]
    assert not offenders, f"lstm_core must not import streamlit: {offenders}"
