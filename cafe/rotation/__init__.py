"""Rotation plans in the app: the solver's problem from the database, background planning,
hand adjustments, check-in and re-planning on the day, and the room's round clock."""
