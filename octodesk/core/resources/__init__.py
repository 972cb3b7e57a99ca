"""What OctoDesk knows about Octopus resources: the kinds it moves, which fields reference which kinds
(``model``), the source-to-target id map, and stable references to sensitive values (``secret_refs``)."""
