"""`python -m aionavilink monitor|status|set-temperature|set-mode ...` (see aionavilink.cli)."""

from .cli import main

if __name__ == "__main__":
    main()
