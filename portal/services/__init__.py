"""Use cases, one module per capability. No Flask request, session, g, forms or templates."""
