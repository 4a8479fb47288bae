"""The running stack, pure: what a workspace remembers (state), what the engine's answers mean (health),
what `up` must do (converge), and the names and files devenv and compose share (names, dotenv)."""
