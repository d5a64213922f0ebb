"""The rules-as-code engine (pure Python; see README.md in this folder once it lands)."""
