"""Per-kind behaviours: what creating, changing, deleting and reading each resource kind does."""
