class StudioRefused(Exception):
    """An action the studio will not do; the message says why, in words for the page."""
