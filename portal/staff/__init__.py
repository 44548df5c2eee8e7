"""Staff back office pages (blueprint), forms, role decorators."""
