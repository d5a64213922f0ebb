"""Reads that depend on who asks, one module per concept.

What a person may not see raises the same ``Http404`` as what does not exist.
"""
