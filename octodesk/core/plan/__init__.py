"""Import preview: per bundle resource, what the import will do on the target and why. Writes nothing."""

from octodesk.core.plan.planner import plan_import
from octodesk.core.plan.rules import version_refusal
from octodesk.core.plan.types import ACTIONS, ImportOptions, ImportPlan, PlanItem

__all__ = ["ACTIONS", "ImportOptions", "ImportPlan", "PlanItem", "plan_import", "version_refusal"]
