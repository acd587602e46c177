"""The calendar of the semester: its entries, its pages and the iCalendar feed."""
