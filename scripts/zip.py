#!/usr/bin/env python3
"""Zips a folder reproducibly: `python3 scripts/zip.py DIR OUT.zip [PREFIX/]` (called by scripts/build.sh).

The same files give the same zip bytes on any machine: entries sorted by path, every time set to
SOURCE_DATE_EPOCH (the commit time, UTC; 1980 at the earliest, zip's first date), fixed permissions
(0644, made on Unix), and stored, not deflated, so the bytes do not depend on the zlib of the machine
that packs them. Python's standard zipfile writes the format; this only fixes what varies.
"""
import os
import sys
import time
import zipfile


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print("usage: python3 scripts/zip.py DIR OUT.zip [PREFIX/]", file=sys.stderr)
        return 2
    root, out = sys.argv[1], sys.argv[2]
    prefix = sys.argv[3] if len(sys.argv) == 4 else ""
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)
    date_time = time.gmtime(epoch)[:6]
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            full = os.path.join(folder, name)
            paths.append(os.path.relpath(full, root).replace(os.sep, "/"))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        for path in sorted(paths):
            info = zipfile.ZipInfo(prefix + path, date_time=date_time)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            with open(os.path.join(root, path), "rb") as f:
                z.writestr(info, f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
