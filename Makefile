# Thin wrapper over CMake. `make run` and `make test` work on a fresh Debian 12 machine as root:
# they install whatever is missing first.
BUILD    ?= build
JOBS     ?= $(shell nproc)
SCENARIO ?= scenarios/003_router.toml
JUNIT    ?= $(BUILD)/junit.xml

.PHONY: all deps build run test bench clean

all: build

deps:
	@.ci/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

## build, then run nscheck on the default scenario: matrices on the terminal, JUnit in $(JUNIT)
run: build
	$(BUILD)/nscheck run $(SCENARIO) --junit $(JUNIT)

## build, then run every test: unit, privileged (real namespaces, needs root) and end to end
test: build
	cd $(BUILD) && ctest --output-on-failure -j 1

## benchmarks against the reference peer and the floor (see tests/bench/README.md)
bench: build
	@.ci/install-deps bench
	tests/bench/star_bench.sh

clean:
	rm -rf $(BUILD)
