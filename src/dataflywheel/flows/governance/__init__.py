"""Governance: people and identity, RACI and consultations, access grants, exceptions, sensitivity, offboarding."""
