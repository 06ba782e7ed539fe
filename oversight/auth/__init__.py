"""Accounts, roles, sign-in and the one access-control decorator."""
