"""At the tables: intervention points recorded by each host, and the closing session view."""
