"""What a new organization starts with: the default risk matrix and the usual threat sources
(docs/decisions/0024-risk-rule.md says why these values)."""

from __future__ import annotations

LIKELIHOOD_LABELS = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
CONSEQUENCE_LABELS = ["Negligible", "Minor", "Moderate", "Major", "Severe"]
# ranks[l-1][c-1]. Symmetric and monotonic; the most severe consequence is never below rank 3 even when rare,
# because in a plant that is an injury or a release, which OT owners do not accept on likelihood alone.
RANKS = [
    [1, 1, 2, 2, 3],
    [1, 2, 2, 3, 4],
    [2, 2, 3, 4, 4],
    [2, 3, 4, 4, 5],
    [3, 4, 4, 5, 5],
]
TOLERABLE_RANK = 2

# (name, capability 1-4, description). The capability is the security level that counters the source: the
# SL definitions of IEC 62443-3-3 describe the attacker each level holds off.
THREAT_SOURCES = [
    (
        "Operator error",
        1,
        "A mistake by someone entitled to use the system: casual or coincidental violation (SL 1).",
    ),
    (
        "Disgruntled insider",
        2,
        "An employee or contractor acting on purpose with the access and tools they have: simple means, "
        "low resources, generic skills (SL 2).",
    ),
    (
        "Hacktivist",
        2,
        "Activists using public tools and known exploits for visibility: intentional, simple means, low "
        "resources, generic skills (SL 2).",
    ),
    (
        "Cybercriminal group",
        3,
        "An organized group after ransom or resale: sophisticated means, moderate resources, skills in "
        "industrial systems bought or built (SL 3).",
    ),
    (
        "Nation-state actor",
        4,
        "A state-sponsored team: sophisticated means, extended resources, high motivation (SL 4).",
    ),
]
