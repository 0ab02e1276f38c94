#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a consumer program against it
# three ways: CMake's find_package (shared and static) and pkg-config.
# Usage: install-test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1 source=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$source/tests/install/consumer" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib:$scratch/prefix/lib64:${LD_LIBRARY_PATH:-}" "$scratch/consumer/consumer"
"$scratch/consumer/consumer_static"
pcdir=$(dirname "$(find "$scratch/prefix" -name tessera.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs tessera)
cc "$source/tests/install/consumer/main.c" $flags -o "$scratch/pc_consumer"
LD_LIBRARY_PATH="$pcdir/.." "$scratch/pc_consumer"
# Static through pkg-config: the archive first, then the private libraries --static adds.
cc "$source/tests/install/consumer/main.c" $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags tessera) \
  -Wl,-Bstatic $(PKG_CONFIG_PATH="$pcdir" pkg-config --libs-only-l tessera) -Wl,-Bdynamic \
  $(PKG_CONFIG_PATH="$pcdir" pkg-config --static --libs-only-other tessera) \
  $(PKG_CONFIG_PATH="$pcdir" pkg-config --static --libs tessera | sed 's/-ltessera//') -o "$scratch/pc_consumer_static"
"$scratch/pc_consumer_static"
echo "4 passed, 0 failed"
