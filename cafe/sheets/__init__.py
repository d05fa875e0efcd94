"""Printable sheets of a plan: facilitator sheets, itinerary cards, name badges, the master grid,
table signs and large-print itineraries, in the browser and as PDF; and each guest's own page."""
