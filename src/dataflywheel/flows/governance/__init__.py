"""Governance: a new workspace's first person, roles and RACI (bootstrap); people and identity, RACI
and consultations, access grants, exceptions, sensitivity, offboarding."""
