"""``inklab install-desktop`` and ``inklab uninstall-desktop``: the launcher in the desktop's menus."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    install = subparsers.add_parser(
        "install-desktop",
        help="add InkLab with its icon to your desktop's menus (current user, XDG folders)",
        description="Install inklab.desktop into $XDG_DATA_HOME/applications and the icon into "
        "$XDG_DATA_HOME/icons/hicolor (XDG_DATA_HOME defaults to ~/.local/share).",
    )
    install.set_defaults(handler=cmd_install)
    uninstall = subparsers.add_parser(
        "uninstall-desktop", help="remove exactly what install-desktop added"
    )
    uninstall.set_defaults(handler=cmd_uninstall)


def cmd_install(args: argparse.Namespace) -> int:
    from core import desktop_entry

    written = desktop_entry.install()
    print(f"installed the InkLab launcher ({len(written)} files):")
    for path in written:
        print(f"  {path}")
    print(f"it runs: {' '.join(desktop_entry.launch_command())}")
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    from core import desktop_entry

    removed = desktop_entry.uninstall()
    if not removed:
        print(f"no InkLab launcher was installed in {desktop_entry.data_home()}")
    for path in removed:
        print(f"removed {path}")
    return 0
