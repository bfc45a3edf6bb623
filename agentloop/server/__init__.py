"""A faithful local Interactions API server (ASGI), its models and its storage.

Public names are re-exported from `agentloop.testing`.
"""
