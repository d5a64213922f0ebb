"""Citizen pages for applying and following applications, the person's own data, assisted
digital, and the OAuth pages third-party apps send people to. Views only call services and
selectors."""
