from mediaops.cli import run

run()
