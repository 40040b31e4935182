"""trackguard's benchmarks: `make bench` runs every module in `bench.__main__.BENCHMARKS`."""
