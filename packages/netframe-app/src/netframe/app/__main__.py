"""C{python -m netframe.app}: the same as the C{netframe-twistd} command."""

from netframe.app.twistd import run

if __name__ == "__main__":
    run()
