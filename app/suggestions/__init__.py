"""Citizens' suggestions: the public form at /vorschlag and the review queue's write path."""
