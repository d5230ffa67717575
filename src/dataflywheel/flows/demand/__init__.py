"""Demand Pool flows: requirements, their lifecycle and SLAs, the project registry."""
