#include "tacit/profile.h"

namespace tacit {

const char* work_name(Work work) {
  switch (work) {
    case Work::forward_product: return "forward_product";
    case Work::input_gradient: return "input_gradient";
    case Work::weight_gradient: return "weight_gradient";
    case Work::bias_gradient: return "bias_gradient";
    case Work::activation: return "activation";
    case Work::loss: return "loss";
    case Work::optimizer: return "optimizer";
    case Work::pack: return "pack";
  }
  return "unknown";
}

}  // namespace tacit
