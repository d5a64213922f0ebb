"""Back-office pages (under /staff/) and the citizen's redress pages (under /appeals/)."""
