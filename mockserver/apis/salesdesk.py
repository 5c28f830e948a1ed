"""salesdesk behaviour that is not CRUD (filled in below)."""
