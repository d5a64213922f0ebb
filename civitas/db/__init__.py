"""Database helpers shared by every app (below all of them in the layers)."""
