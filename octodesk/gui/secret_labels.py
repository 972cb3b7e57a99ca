"""Secret references (``variable:Project/Web Portal/DbPassword[Environment=Production]``) as a person reads
them: which project or shared resource they belong to, and a short label. Only for display: the reference
itself stays the key."""

from __future__ import annotations

from dataclasses import dataclass

SHARED_GROUPS = {
    "account": "Accounts",
    "feed": "Feeds",
    "certificate": "Certificates",
    "template": "Step templates",
}


@dataclass(frozen=True)
class SecretLabel:
    group: str  # "Web Portal", "Library variable set Common Settings", "Tenant Fabrikam", "Accounts", ...
    label: str
    order: int  # projects first, then library sets, tenants, shared resources


def _scope(text: str) -> tuple[str, str]:
    """``name[Environment=Production]`` -> (``name``, ``Environment = Production``)."""
    if text.endswith("]") and "[" in text:
        name, _, scope = text[:-1].partition("[")
        readable = "; ".join(part.replace("=", " = ").replace(",", ", ") for part in scope.split(";"))
        return name, readable
    return text, ""


def _owner_group(owner_kind: str, owner: str) -> tuple[str, int]:
    if owner_kind == "LibraryVariableSet":
        return f"Library variable set {owner}", 1
    return owner, 0


def describe(ref: str) -> SecretLabel:
    prefix, _, rest = ref.partition(":")
    parts = rest.split("/")
    if prefix == "variable" and len(parts) >= 3:
        group, order = _owner_group(parts[0], parts[1])
        name, scope = _scope("/".join(parts[2:]))
        return SecretLabel(group, f"Variable {name}" + (f" ({scope})" if scope else ""), order)
    if prefix == "action" and len(parts) >= 5:
        project, process, step, action, prop = parts[0], parts[1], parts[2], parts[3], "/".join(parts[4:])
        where = f"step “{step}”" + (f", action “{action}”" if action != step else "")
        if process != "deployment":
            where += f" of runbook “{process}”"
        return SecretLabel(project, f"{prop} in {where}", 0)
    if prefix == "parameter" and len(parts) >= 3:
        group, order = _owner_group(parts[0], parts[1])
        return SecretLabel(group, f"Default of tenant variable template {'/'.join(parts[2:])}", order)
    if prefix == "tenant" and len(parts) >= 4:
        environment = f" in {parts[4]}" if len(parts) > 4 else ""
        return SecretLabel(f"Tenant {parts[0]}", f"{parts[2]}: {parts[3]}{environment}", 2)
    if prefix == "certificate":
        name = "/".join(parts[:-1]) if parts[-1] == "Password" and len(parts) > 1 else rest
        what = "PFX password" if name != rest else "certificate file (base64 PFX or PEM)"
        return SecretLabel(SHARED_GROUPS[prefix], f"{name}: {what}", 3)
    if prefix in SHARED_GROUPS and len(parts) >= 2:
        return SecretLabel(SHARED_GROUPS[prefix], f"{'/'.join(parts[:-1])}: {parts[-1]}", 3)
    return SecretLabel("Other", ref, 4)


def readable(ref: str) -> str:
    """One line naming the value as the Sensitive values page lists it: ``Variable Portal.SigningKey (Web
    Portal)``."""
    label = describe(ref)
    return f"{label.label} ({label.group})" if label.group != "Other" else label.label
