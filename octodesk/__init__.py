"""OctoDesk: move Octopus Deploy projects between spaces and Octopus Server instances."""

__version__ = "0.1.0"
