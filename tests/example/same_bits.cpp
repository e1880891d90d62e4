// Runs examples/train (its path is argv[1]) on every ISA this CPU has, at 1
// and 2 threads, each saving into the folder argv[2], and fails unless
// every run succeeds and every saved model has the same bytes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tacit/isa.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: same_bits EXAMPLE FOLDER\n");
    return 2;
  }
  std::string first_bytes, first_name;
  int runs = 0;
  for (int i = 0; i < tacit::isa_count(); ++i) {
    const tacit::Isa isa = tacit::isa_at(i);
    if (!tacit::isa_available(isa)) continue;
    for (int threads : {1, 2}) {
      const std::string name = std::string(argv[2]) + "/circle-" + tacit::isa_name(isa) + "-" +
                               std::to_string(threads) + ".tacit";
      const std::string command = std::string("TACIT_ISA=") + tacit::isa_name(isa) + " '" +
                                  argv[1] + "' '" + name + "' " + std::to_string(threads);
      std::printf("%s\n", command.c_str());
      std::fflush(stdout);
      if (std::system(command.c_str()) != 0) {
        std::printf("FAILED: %s\n", command.c_str());
        return 1;
      }
      std::ifstream in(name, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.empty()) {
        std::printf("FAILED: %s is empty or missing\n", name.c_str());
        return 1;
      }
      if (runs++ == 0) {
        first_bytes = bytes;
        first_name = name;
      } else if (bytes != first_bytes) {
        std::printf("FAILED: %s differs from %s\n", name.c_str(), first_name.c_str());
        return 1;
      }
    }
  }
  std::printf("%d runs, one model: the same bytes on every ISA and thread count\n", runs);
  return runs >= 2 ? 0 : 1;
}
