"""Export: the chosen projects, with everything they reference, read from the source into a bundle."""

from octodesk.core.export.exporter import export_projects, list_secret_references

__all__ = ["export_projects", "list_secret_references"]
