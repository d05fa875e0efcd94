"""After the event: attendees' actions and follow-ups, the partnership ladder, feedback and the
harvest report."""
