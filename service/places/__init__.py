"""Where things are: the offline gazetteer, distances and boxes, time zones, grid cells."""
