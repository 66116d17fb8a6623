"""Validation: documents against their JSON Schemas, then the rules a schema cannot say
(vocabulary references in policies, unique ids and known names in snapshots)."""
