"""Shared plumbing that is not domain logic: versioning, the API and page contracts, CSV, SVG, history.

Domain apps import from here; core imports no domain app (only the permission door in accounts)."""
