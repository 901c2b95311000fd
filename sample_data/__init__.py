"""A seeded generator of Lantern's synthetic town, and the small data set it makes.

The town is fictional and is placed in the open North Sea (about 54.5°N, 1.0°E, more than
100 km from any coast), so no real street, premises or person can ever be shown as a place of
sex work, even on a map with a basemap.
"""
from sample_data.generate import TOWN, generate_town, write_town

__all__ = ["TOWN", "generate_town", "write_town"]
