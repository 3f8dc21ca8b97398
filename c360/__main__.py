"""`python -m c360` and the `c360` console script."""

import sys

#: Commands with a light start-up: they never import the loader, SQLMesh, pandas or Panel.
LIGHT_COMMANDS = ("ask", "semantic-model")


def run() -> None:
    args = sys.argv[1:]
    if args[:1] and args[0] in LIGHT_COMMANDS:
        from c360.commands.assistant import main_light

        sys.exit(main_light(args))
    from c360.cli import main

    sys.exit(main())


if __name__ == "__main__":
    run()
