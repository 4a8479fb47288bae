"""`python -m tests.helpers.engineless ARGS`: devenv on a machine with no engine socket besides DOCKER_HOST.

For tests that drive doctor in a real pseudo-terminal while CI's own engine answers at the default socket.
"""

from devenv.adapters import engine
from devenv.cli.main import main

engine.usual_sockets = lambda _env: []  # type: ignore[assignment]
main()
