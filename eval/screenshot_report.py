"""Renders an `lntune report` / `lntune study` page in headless Chromium and saves a PNG, to see the page as a
reader does (Chromium is a Debian package: `apt-get install -y chromium`). With Pillow installed
(`pip install pillow`) the PNG is reduced to a small palette, which keeps a committed screenshot small.

    python3 eval/screenshot_report.py quickstart-out/study/report.html docs/report.png --height 1500
"""

import argparse
import pathlib
import shutil
import subprocess
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=pathlib.Path, help="the report.html to render")
    parser.add_argument("png", type=pathlib.Path, help="the screenshot to write")
    parser.add_argument("--width", type=int, default=1160)
    parser.add_argument("--height", type=int, default=1500, help="the window height: how much of the page shows")
    parser.add_argument("--colors", type=int, default=64, help="palette size of the reduced PNG (0 = keep RGB)")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("no Chromium on PATH: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        # --no-sandbox: Chromium refuses to run as root with its sandbox (containers, CI).
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size={args.width},{args.height}",
             f"--screenshot={args.png.resolve()}", args.page.resolve().as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if args.colors:
        try:
            from PIL import Image
        except ImportError:
            print("Pillow is not installed: the PNG is kept in full colour")
        else:
            Image.open(args.png).convert("RGB").quantize(colors=args.colors).save(args.png, optimize=True)
    print("wrote", args.png, f"({args.png.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
