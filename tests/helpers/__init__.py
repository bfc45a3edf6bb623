"""Helpers shared by test modules in several folders (fixtures live in tests/conftest.py).

Importable as `helpers` because pytest puts tests/ on `sys.path` (`pythonpath` in
pyproject.toml).
"""
