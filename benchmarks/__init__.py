"""`make bench`: measurements of the engines and the simulated network."""
