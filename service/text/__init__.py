"""Every piece of text shown to people: labels, phrases and the networking advice."""
