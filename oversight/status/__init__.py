"""A vendor's oversight status: its five duty lights and the incident badge, composed from each duty's rule."""
