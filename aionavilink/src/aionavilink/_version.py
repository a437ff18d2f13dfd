"""The distribution's version: the build, the User-Agent and the integration's pin read it."""

__version__ = "0.1.0"
