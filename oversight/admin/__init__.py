"""Administration: users and their roles (settings and templates join later)."""
