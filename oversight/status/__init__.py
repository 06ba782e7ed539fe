"""What the duty features tell together: a vendor's five duty lights and incident badge, composed from
each duty's own rule, and what is waiting for whom."""
