"""Remediation pages: findings, actions, suggestions, the verify flow and the roadmap."""
