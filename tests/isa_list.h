// The ISAs this build and CPU can run, for tests that hold every variant to
// the same bits.
#pragma once

#include <initializer_list>
#include <vector>

#include "tacit/isa.h"

namespace test_isa {

inline std::vector<tacit::Isa> available_isas() {
  std::vector<tacit::Isa> out;
  for (tacit::Isa isa : {tacit::Isa::portable, tacit::Isa::avx2, tacit::Isa::avx512,
                         tacit::Isa::neon}) {
    if (tacit::isa_available(isa)) out.push_back(isa);
  }
  return out;
}

}  // namespace test_isa
