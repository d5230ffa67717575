"""Policies: who may do what, and which deadline applies. Pure functions over records."""
