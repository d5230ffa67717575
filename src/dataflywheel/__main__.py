"""`python -m dataflywheel …` is `flywheel …`: the same entry point, for a caller that has the
interpreter but not the console script on its PATH (the consistency check runs its command-level
checks this way, with the interpreter that runs it)."""

from dataflywheel.cli.main import run

if __name__ == "__main__":
    run()
