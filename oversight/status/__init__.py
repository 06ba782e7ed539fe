"""What the duty features tell together: a vendor's lights, what is waiting for whom."""
