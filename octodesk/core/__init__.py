"""The engine. Never imports Qt: the GUI and the command line are thin faces over these calls."""
