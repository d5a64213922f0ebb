"""E-participation pages. Views only call services and selectors."""
