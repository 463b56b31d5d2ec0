# Thin front for the CMake build. `make test` and `make run` are the two commands; both run
# scripts/bootstrap first (installs missing Debian packages, unpacks lwIP); `make run` only
# when its build directory is not configured yet (scripts/make-run).
JOBS        ?= $(shell nproc)
BUILD       ?= build
ASAN_BUILD  ?= build-asan
COV_BUILD   ?= build-coverage
FUZZ_BUILD  ?= build-fuzz
BENCH_BUILD ?= build-bench
FUZZ_TIME   ?= 60
TARGET      ?= hello
CTEST_ARGS  ?=
SOAK_SEEDS  ?= 20000

.PHONY: all bootstrap configure build test test-noaccel test-asan run run-noaccel coverage \
        fuzz bench soak clean

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Every test in the plain build, then the unit and hosted tests again under ASan+UBSan.
test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure $(CTEST_ARGS)
	@$(MAKE) --no-print-directory test-asan

test-asan: bootstrap
	@cmake -S . -B $(ASAN_BUILD) -DPETREL_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest -j $(JOBS) --output-on-failure -L 'unit|hosted' $(CTEST_ARGS)

# Same tests with QEMU forced to TCG (no KVM), for machines whose /dev/kvm misleads.
test-noaccel:
	@PETREL_ACCEL=tcg $(MAKE) --no-print-directory test

# The concurrency tests (seeded preemption, docs/hosted.md) under SOAK_SEEDS seeds each
# instead of the HT_PCT_SEEDS of `make test`; a failure prints PETREL_PCT_SEED=<n>.
soak: build
	@scripts/soak $(BUILD) $(SOAK_SEEDS)

# Builds only what TARGET needs, quietly (its log is shown when the build fails), nothing at
# all when no source file changed, then boots it: scripts/make-run.
run:
	@scripts/make-run $(BUILD) $(TARGET)

run-noaccel:
	@PETREL_ACCEL=tcg scripts/make-run $(BUILD) $(TARGET)

coverage: bootstrap
	@cmake -S . -B $(COV_BUILD) -DPETREL_COVERAGE=ON >/dev/null
	@cmake --build $(COV_BUILD) -j $(JOBS)
	@scripts/coverage $(COV_BUILD)

fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DPETREL_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_TIME)

# Benchmarks measure an optimised build (Release), not the Debug build the tests use.
bench: bootstrap
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS)
	@scripts/bench $(BENCH_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(COV_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
