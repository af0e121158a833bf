# Thin wrapper over CMake. `make run` and `make test` work on a fresh Debian 12 machine as root:
# they install whatever is missing first.
BUILD    ?= build
JOBS     ?= $(shell nproc)
SCENARIO ?= scenarios/003_router.toml
JUNIT    ?= $(BUILD)/junit.xml

.PHONY: all deps build run check test sanitize tsan fuzz bench clean

all: build

deps:
	@.ci/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

## build, then run nscheck on the default scenario: matrices on the terminal, JUnit in $(JUNIT)
run: build
	$(BUILD)/nscheck run $(SCENARIO) --junit $(JUNIT)

## the whole suite, as CI runs it: every CTest test, then the privileged and end-to-end tests
## again under AddressSanitizer + UBSan, the probe engine's under ThreadSanitizer, then the
## scenario loader fuzzer for $(FUZZ_SECONDS) s
test: check sanitize tsan fuzz

## build, then run every CTest test: unit, privileged (real namespaces, needs root), end to end
check: build
	cd $(BUILD) && ctest --output-on-failure -j 1

## AddressSanitizer + UBSan build in build-asan/, privileged and end-to-end tests
sanitize: deps
	.ci/sanitize

## ThreadSanitizer build in build-tsan/: the probe engine's privileged tests (several threads)
tsan: deps
	.ci/tsan

## libFuzzer (clang) on the scenario loader, seeded with scenarios/ and tests/bad/
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) .ci/fuzz

## benchmarks against the reference peer and the floor (see tests/bench/README.md)
bench: build
	@.ci/install-deps bench
	tests/bench/star_bench.sh
	tests/bench/scale_bench.sh

clean:
	rm -rf $(BUILD)
