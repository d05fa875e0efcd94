"""Case studies: commissioned anonymised life stories, their review, audit and retention, and
the hosted tables they become."""
