"""The components pages, one module per sub-area (procurement: the zone's tender annex)."""
