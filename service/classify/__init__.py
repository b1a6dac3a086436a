"""What an event is: its kind, its sectors (and their data), and whether two are the same."""
