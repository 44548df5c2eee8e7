"""Patient pages: one blueprint per journey."""
