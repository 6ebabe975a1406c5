"""What leaves Leadline as files: safe CSVs and the snapshot ZIP."""
