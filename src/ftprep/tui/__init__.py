"""``ftprep review``: a Textual app over the core. It decides; the core fixer edits."""
