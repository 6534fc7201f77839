"""C{python -m netframe.trial}: the C{netframe-trial} command."""

from netframe.trial.script import run

if __name__ == "__main__":
    run()
