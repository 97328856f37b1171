"""The front-end packages the portal serves itself, installed from npm (`make assets`).

One list for both readers: the settings map each package's folder under `node_modules` to a
prefix of the static files, and the wheel's build (setup.py) copies the files named here into the
package, so an installed portal serves them without npm. Plain data, no Django: setup.py loads
this file by its path.
"""

# static prefix -> (folder under node_modules, the files of it a wheel carries)
VENDOR: dict[str, tuple[str, tuple[str, ...]]] = {
    "vendor/bootstrap": (
        "bootstrap/dist",
        (
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        ),
    ),
    "vendor/bootstrap-icons": ("bootstrap-icons/font", ("bootstrap-icons.min.css", "fonts/*")),
    "vendor/htmx": ("htmx.org/dist", ("htmx.min.js",)),
    "vendor/echarts": ("echarts/dist", ("echarts.min.js",)),
}

# The PDF reports' font (Noto Sans CJK SC, regular and bold; reports/fonts.py).
REPORT_FONTS: tuple[str, tuple[str, ...]] = (
    "@embedpdf/fonts-sc/fonts",
    ("NotoSansHans-Regular.otf", "NotoSansHans-Bold.otf"),
)
