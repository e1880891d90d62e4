// Internal: what checkpoint.cpp shares with checkpoint_file.cpp and export.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/mlp.h"
#include "tacit/status.h"

namespace tacit {
namespace checkpoint_detail {

// Whether a checkpoint of `spec` is `total` bytes long: refused as
// truncated or as having trailing bytes, with the size the spec needs.
Status check_size(const MlpSpec& spec, std::uint64_t total, const char* name);

// Every load check, in the documented order (docs/FORMAT.md): magic,
// version, layers, widths, the fit to mlp's spec, the size, the CRC.
// `available` bytes are in memory of a checkpoint `total` bytes long; the
// CRC is only computed once the size is right (then available == total).
Status check(const unsigned char* bytes, std::size_t available, std::uint64_t total,
             const char* name, const Mlp& mlp);

// Writes the header of a checkpoint of spec (magic to activations, at
// most kCheckpointMaxHeaderBytes) to out; returns its size.
std::size_t write_header(const MlpSpec& spec, unsigned char* out);

// The CRC-32 a checkpoint of mlp stores (checkpoint_write's last 4 bytes),
// computed without a buffer for the whole file.
std::uint32_t crc(const Mlp& mlp);

}  // namespace checkpoint_detail
}  // namespace tacit
