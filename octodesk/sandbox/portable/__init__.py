"""The sandbox's own server-side Export/Import Projects: what an export carries, its zip, and the import."""
