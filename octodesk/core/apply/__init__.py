"""Carrying out an import plan on the target, journaled so a stopped import continues where it stopped."""

from octodesk.core.apply.runner import apply_plan, import_bundle

__all__ = ["apply_plan", "import_bundle"]
