"""Export: the chosen projects, with everything they reference, read from the source into a bundle."""

from octodesk.core.export.exporter import SourceScan, export_projects, list_secret_references, scan_source

__all__ = ["SourceScan", "export_projects", "list_secret_references", "scan_source"]
