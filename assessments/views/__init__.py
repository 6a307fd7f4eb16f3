"""Pages of the assessments app: overview and lifecycle, the workspace, evidence."""
