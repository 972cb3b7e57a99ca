"""The work behind each command-line command; ``octodesk.cli`` parses, these modules act."""
