# The two commands: `make run` (build and start the server) and `make test` (build and run
# every test). Other targets: build (release binary only), debug, asan, bench, format.
JOBS ?= $(shell nproc)
PORT ?= 6379

.PHONY: deps build debug asan run test test-asan bench format clean

deps:
	@./scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

run: build
	./build/release/ember-server --port $(PORT)

test: build
	ctest --preset release -j 2

test-asan: asan
	ctest --preset asan -j 2

bench: build
	/usr/bin/python3 bench/run_all.py

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build
