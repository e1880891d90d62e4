// Checkpoints: a trained model's spec and parameters in the binary format of
// docs/FORMAT.md (magic, version, widths, activations, little-endian IEEE floats whatever
// the host, CRC-32 of everything before it). A saved model loads back bit
// for bit.
//
// Size first, memory from the caller: checkpoint_bytes(spec) is the exact
// size of a file; checkpoint_parse_spec / checkpoint_file_spec read only the
// header, so the caller can size a model (mlp_bytes) before loading it.
// Loading checks everything before it writes a parameter: on failure the
// model is unchanged. Messages name the file (`name`), the field, what was
// expected and what was found.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/mlp.h"
#include "tacit/status.h"
#include "tacit/version.h"

namespace tacit {

constexpr char kCheckpointMagic[8] = {'T', 'A', 'C', 'I', 'T', 'M', 'L', 'P'};
// The newest version this build reads and writes. It writes version 1 for
// a model whose hidden layers are all ReLU and version 2, which adds the
// hidden layers' activations, for any other (checkpoint_version).
constexpr std::uint32_t kCheckpointVersion = 2;
// Magic, version, layer count, then one u32 per width; version 2 adds one
// u32 per hidden layer (its activation's code).
constexpr std::size_t checkpoint_header_bytes(int layers, std::uint32_t version = 1) {
  return 8 + 4 + 4 + 4 * static_cast<std::size_t>(layers + 1) +
         (version >= 2 && layers > 1 ? 4 * static_cast<std::size_t>(layers - 1) : 0);
}
constexpr std::size_t kCheckpointMaxHeaderBytes = checkpoint_header_bytes(kMaxLayers, 2);

// The version a checkpoint of spec has: 1 when every hidden layer is ReLU,
// else 2.
std::uint32_t checkpoint_version(const MlpSpec& spec);
// Header (of checkpoint_version(spec)) + 4 bytes per parameter + the 4-byte CRC.
std::size_t checkpoint_bytes(const MlpSpec& spec);

// ---- memory: no files, usable in firmware ----------------------------------

// Writes mlp as a checkpoint into out[0, checkpoint_bytes(mlp.spec)).
Status checkpoint_write(const Mlp& mlp, unsigned char* out, std::size_t capacity);

// Reads the magic, version, widths and activations from the first `size`
// bytes of a checkpoint (kCheckpointMaxHeaderBytes, or the whole file, are
// enough). A version-1 file's hidden layers are ReLU.
Status checkpoint_parse_spec(const unsigned char* bytes, std::size_t size,
                             const char* name, MlpSpec* spec);

// Checks a whole checkpoint (`size` bytes) against mlp's spec, its exact
// size and its CRC, then copies the parameters into mlp and repacks it.
Status checkpoint_read(const unsigned char* bytes, std::size_t size, const char* name,
                       Mlp& mlp);

#if TACIT_HAS_FILES  // tacit/version.h: declared only where built

// ---- files (left out of builds with -Dfiles=false) --------------------------

// Reads the header of the file at `path`, and refuses it unless the file is
// exactly checkpoint_bytes(*spec) long: a size to allocate from is proven
// by the file before it is returned.
Status checkpoint_file_spec(const char* path, MlpSpec* spec);

// Writes mlp to `path` through buffer (capacity >= checkpoint_bytes(mlp.spec)):
// to a new file in PATH's folder first, .NAME.tmp-<attempt>-<hex>, created
// exclusively (never an existing file, never through a symbolic link),
// flushed to stable storage where the platform allows and renamed over PATH
// once complete, so an existing file at PATH is replaced whole or not at
// all. On failure the temporary is removed and the message gives the
// system's reason.
Status checkpoint_save(const char* path, const Mlp& mlp, unsigned char* buffer,
                       std::size_t capacity);

// Reads the file at `path` into buffer (capacity >= checkpoint_bytes(mlp.spec)),
// then checkpoint_read. A file longer than the buffer is refused as having
// trailing bytes, a shorter one as truncated.
Status checkpoint_load(const char* path, unsigned char* buffer, std::size_t capacity,
                       Mlp& mlp);

#endif  // TACIT_HAS_FILES

}  // namespace tacit
