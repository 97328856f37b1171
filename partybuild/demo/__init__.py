"""The demo group and the synthetic trees: data that spans every app, loaded by the project's
commands (`seed_demo`, `seed_synthetic`, `demo_logins`), never by an app. One module per app whose
data it builds, in the order `seed_demo` loads them."""
