// The ISAs this build and CPU can run, for tests that hold every variant to
// the same bits. They come from the library's own list (isa_count/isa_at),
// so a new ISA is tested without naming it here.
#pragma once

#include <vector>

#include "tacit/isa.h"

namespace test_isa {

inline std::vector<tacit::Isa> available_isas() {
  std::vector<tacit::Isa> out;
  for (int i = 0; i < tacit::isa_count(); ++i) {
    if (tacit::isa_available(tacit::isa_at(i))) out.push_back(tacit::isa_at(i));
  }
  return out;
}

}  // namespace test_isa
