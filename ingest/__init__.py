"""Everything that writes the database: boundaries, the demo generator and the importers."""
