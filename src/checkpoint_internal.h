// Internal: what checkpoint.cpp shares with checkpoint_file.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/mlp.h"
#include "tacit/status.h"

namespace tacit {
namespace checkpoint_detail {

// "784-256-256-13", truncated to capacity.
void format_spec(const MlpSpec& spec, char* out, std::size_t capacity);

// Every load check, in the documented order (docs/FORMAT.md): magic,
// version, layers, widths, the fit to mlp's spec, the size, the CRC.
// `available` bytes are in memory of a checkpoint `total` bytes long; the
// CRC is only computed once the size is right (then available == total).
Status check(const unsigned char* bytes, std::size_t available, std::uint64_t total,
             const char* name, const Mlp& mlp);

}  // namespace checkpoint_detail
}  // namespace tacit
