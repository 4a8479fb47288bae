"""A Dockerfile's text: the image its last stage builds FROM."""

from __future__ import annotations

from devenv.domain.parity.images import ImageRef, parse_image


def dockerfile_base(text: str) -> ImageRef | None:
    """The image the last stage builds FROM (following stage names); None when an ARG decides it."""
    stages: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2 or words[0].upper() != "FROM":
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        image = stages.get(args[0].lower(), args[0])
        if len(args) >= 3 and args[1].upper() == "AS":
            stages[args[2].lower()] = image
        last = image
    return parse_image(last) if last and "$" not in last else None
