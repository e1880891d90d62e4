// IDX files (the format MNIST ships in): a 4-byte magic, big-endian u32
// dimensions, then the payload, big-endian, row-major.
//   magic = 0x00 0x00 <type code> <number of dimensions>
// Reading is strict and size-first: the header is read and checked against
// the real file size before anything is sized from it, so a header that
// claims 2 billion images in a 1 kB file costs nothing. The caller then
// provides idx_payload_bytes(header) bytes and idx_load fills them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/status.h"
#include "tacit/version.h"

namespace tacit {

enum class IdxType : std::uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

// The magic's last byte counts the dimensions, so a valid file may have 255.
constexpr int kIdxMaxRank = 255;
// The longest header: magic plus 255 dimensions.
constexpr std::size_t kIdxMaxHeaderBytes = 4 + 4 * kIdxMaxRank;

struct IdxHeader {
  IdxType type = IdxType::u8;
  int rank = 0;                      // 1..255
  std::uint32_t dims[kIdxMaxRank] = {};  // dims[0] is the outermost (the count)
  std::uint64_t elements = 0;        // product of the dimensions
  std::uint64_t header_bytes = 0;    // 4 + 4 * rank
  std::uint64_t payload_bytes = 0;   // elements * idx_type_bytes(type)
  std::uint64_t file_bytes = 0;      // header_bytes + payload_bytes
};

#if TACIT_HAS_FILES  // tacit/version.h: declared only where built

// "u8", "i8", "i16", "i32", "f32", "f64"; "unknown" for any other code.
const char* idx_type_name(IdxType type);
// Bytes per element; 0 for a code that is not an IDX type.
std::size_t idx_type_bytes(IdxType type);
bool idx_type_valid(std::uint8_t code);

// The magic as written in files, e.g. 0x00000803 for a 3-dimensional u8 array.
std::uint32_t idx_magic(IdxType type, int rank);

// Parses the header at the start of `bytes`; `size` is how many bytes are
// available there (the whole file or just its start). Checks the magic, the
// rank and that the sizes fit in 64 bits (and in size_t); not the file size.
// `name` only labels messages.
Status idx_parse_header(const unsigned char* bytes, std::size_t size,
                        const char* name, IdxHeader* header);

// Refuses a file shorter or longer than the header says.
Status idx_check_file_bytes(const IdxHeader& header, std::uint64_t file_bytes,
                            const char* name);

// Reads and checks the header of the file at `path`, including its size.
// Refuses directories, unreadable paths and gzip files (with how to
// decompress them).
Status idx_read_header(const char* path, IdxHeader* header);

// What idx_load needs from the caller. Equal to header.payload_bytes, which
// idx_parse_header guaranteed fits in size_t.
inline std::size_t idx_payload_bytes(const IdxHeader& header) {
  return static_cast<std::size_t>(header.payload_bytes);
}

// Reads the payload of `path` into `payload` (capacity bytes, at least
// idx_payload_bytes(header)), in host byte order: elements of type T can be
// read as T[]. Re-reads the header and refuses a file that no longer matches
// `header` (changed since idx_read_header).
Status idx_load(const char* path, const IdxHeader& header, void* payload,
                std::size_t capacity);

// The same from memory: `bytes` is a whole file. idx_parse checks the header
// and the exact size; idx_decode copies the payload to `payload` in host order.
Status idx_parse(const unsigned char* bytes, std::size_t size,
                 const char* name, IdxHeader* header);
void idx_decode(const IdxHeader& header, const unsigned char* file_bytes,
                void* payload);

// Writes a dimension list such as "60000x28x28" into out (always
// terminated; truncated with "..." when too long).
void idx_format_dims(const IdxHeader& header, char* out, std::size_t capacity);

#endif  // TACIT_HAS_FILES

}  // namespace tacit
