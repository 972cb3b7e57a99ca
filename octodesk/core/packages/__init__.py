"""Built-in feed packages: which ones the exported processes use (``references``), which versions a copy takes
(``choice``, ``versions``), what a copy will do before anything is written (``decide``, ``target``), and the
streamed copy itself (``transfer``, ``copier``), from a source feed or a bundle entry (``bundle_entries``:
written into a bundle at export, read back for the upload). Below export, plan and apply: it imports none
of them."""

from octodesk.core.packages.bundle_entries import BundleSource, carried_entries, record_carried
from octodesk.core.packages.choice import NONE, PackageChoice
from octodesk.core.packages.copier import PACKAGE_KIND, CopyOutcome, copy_packages, journal_step
from octodesk.core.packages.decide import PackagePlan, decide_packages, human_bytes
from octodesk.core.packages.manifest import ManifestPackages
from octodesk.core.packages.references import built_in_package_ids
from octodesk.core.packages.target import check_target
from octodesk.core.packages.transfer import PackageSource, ServerSource
from octodesk.core.packages.versions import PackageVersion, newest_versions

__all__ = [
    "NONE",
    "PACKAGE_KIND",
    "BundleSource",
    "CopyOutcome",
    "ManifestPackages",
    "PackageChoice",
    "PackagePlan",
    "PackageSource",
    "PackageVersion",
    "ServerSource",
    "built_in_package_ids",
    "carried_entries",
    "check_target",
    "copy_packages",
    "decide_packages",
    "human_bytes",
    "journal_step",
    "newest_versions",
    "record_carried",
]
