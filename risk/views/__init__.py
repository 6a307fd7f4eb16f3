"""The risk assessment pages: list, overview, matrix and threat sources, the live register, heat maps and
the proposal with its apply form."""
