import os
import sys

from .cli import main

if __name__ == "__main__":  # not when a spawned worker process imports the main module
    code = main()
    # Exit without tearing down the interpreter: freeing a large spec's IR object by object takes
    # a twentieth of a second, for nothing (every process the run started has ended by now).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
