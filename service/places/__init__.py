"""Where things are: gazetteer, addresses, geocoding, distances, boxes, time zones, grid cells."""
