"""Writes to the components app, one module per sub-area: products (the library and its SL-C), certificates,
and the component assessments and supplier questionnaires of the other modules."""
