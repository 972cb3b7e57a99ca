"""Build the one-folder frozen OctoDesk with PyInstaller, check it starts, and print where it is and its size.

    python installer/build.py [--dist DIR] [--work DIR] [--clean]

Exit status: 0 built and verified, 1 the build or the check failed, 2 PyInstaller is not installed.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "octodesk.spec"
APP_NAME = "octodesk"


def package_version() -> str:
    tree = ast.parse((ROOT / "octodesk" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("octodesk/__init__.py has no __version__")


def executable_in(app_dir: Path) -> Path:
    return app_dir / (f"{APP_NAME}.exe" if sys.platform == "win32" else APP_NAME)


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def run_pyinstaller(dist: Path, work: Path, clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    if clean:
        command.append("--clean")
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed (exit {result.returncode}); see the messages above.")


def check_version(executable: Path, expected: str) -> None:
    """The frozen app must start and report the package's version: catches missing modules at once."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        result = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=120, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SystemExit(f"build: the built app did not start: {error}") from None
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or expected not in output:
        raise SystemExit(f"build: '{executable} --version' gave exit {result.returncode}: {output[-500:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder frozen OctoDesk app with PyInstaller.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller work folder"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)

    if importlib.util.find_spec("PyInstaller") is None:
        print(
            "build: PyInstaller is not installed; run: pip install -e '.[installer]'",
            file=sys.stderr,
        )
        return 2
    version = package_version()
    started = time.monotonic()
    try:
        run_pyinstaller(args.dist.resolve(), args.work.resolve(), args.clean)
        app_dir = args.dist.resolve() / APP_NAME
        executable = executable_in(app_dir)
        if not executable.exists():
            raise SystemExit(f"build: PyInstaller finished but {executable} is missing")
        check_version(executable, version)
    except SystemExit as failure:
        print(failure, file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"OctoDesk {version} built in {elapsed:.0f} s")
    print(f"folder:     {app_dir}")
    print(f"executable: {executable}")
    print(f"size:       {human_size(folder_size(app_dir))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
