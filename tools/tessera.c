/* The tessera command: `tessera info`, `tessera bench`, `tessera version`. */
#include <stdio.h>
#include <string.h>

#include "tessera.h"

int tsr_tool_info(int argc, char** argv);
int tsr_tool_bench(int argc, char** argv);

static void tsr_usage(FILE* out) {
  fprintf(out,
          "usage: tessera <command> [arguments]\n"
          "  info [--threads=N]   version, CPU ISA detected and in use, measured FMA peak and\n"
          "                       streaming bandwidth\n"
          "  bench [OP] ...       run problems through tessera and oneDNN (bench --help)\n"
          "  version              print the version\n"
          "Environment: TESSERA_MAX_ISA=scalar|avx2|avx512|neon caps the kernels' ISA.\n");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    tsr_usage(stderr);
    return 2;
  }
  const char* command = argv[1];
  if (strcmp(command, "info") == 0) return tsr_tool_info(argc - 2, argv + 2);
  if (strcmp(command, "bench") == 0) return tsr_tool_bench(argc - 2, argv + 2);
  if (strcmp(command, "version") == 0) {
    printf("tessera %s\n", tsr_version_string());
    return 0;
  }
  if (strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
    tsr_usage(stdout);
    return 0;
  }
  fprintf(stderr, "tessera: unknown command '%s'\n", command);
  tsr_usage(stderr);
  return 2;
}
