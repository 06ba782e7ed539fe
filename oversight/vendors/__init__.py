"""The vendor register (委託先台帳)."""
