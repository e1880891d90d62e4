// IDX headers and payloads in memory: everything except file I/O, so the
// fuzzer reaches all of the parsing without touching the disk.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "data/idx_internal.h"
#include "tacit/idx.h"

namespace tacit {
namespace {

std::uint32_t read_be32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 |
         static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}

// Big-endian elements of `width` bytes to host order. src and dst may be
// the same buffer: each element is read whole before it is written.
void to_host_order(std::size_t width, const unsigned char* src,
                   unsigned char* dst, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i, src += width, dst += width) {
    if (width == 2) {
      const std::uint16_t v = static_cast<std::uint16_t>(src[0] << 8 | src[1]);
      std::memcpy(dst, &v, 2);
    } else if (width == 4) {
      const std::uint32_t v = read_be32(src);
      std::memcpy(dst, &v, 4);
    } else {
      const std::uint64_t v =
          static_cast<std::uint64_t>(read_be32(src)) << 32 | read_be32(src + 4);
      std::memcpy(dst, &v, 8);
    }
  }
}

}  // namespace

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8: return "u8";
    case IdxType::i8: return "i8";
    case IdxType::i16: return "i16";
    case IdxType::i32: return "i32";
    case IdxType::f32: return "f32";
    case IdxType::f64: return "f64";
  }
  return "unknown";
}

std::size_t idx_type_bytes(IdxType type) {
  switch (type) {
    case IdxType::u8:
    case IdxType::i8: return 1;
    case IdxType::i16: return 2;
    case IdxType::i32:
    case IdxType::f32: return 4;
    case IdxType::f64: return 8;
  }
  return 0;
}

bool idx_type_valid(std::uint8_t code) {
  return idx_type_bytes(static_cast<IdxType>(code)) != 0;
}

std::uint32_t idx_magic(IdxType type, int rank) {
  return static_cast<std::uint32_t>(type) << 8 |
         static_cast<std::uint32_t>(rank & 0xFF);
}

Status idx_parse_header(const unsigned char* bytes, std::size_t size,
                        const char* name, IdxHeader* header) {
  if (name == nullptr) name = "(memory)";
  if (size >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
    return Status::error(
        "%s: gzip-compressed (starts with 1f 8b), expected raw IDX; "
        "decompress it first: gunzip -k FILE.gz, or gunzip -c FILE > OUT",
        name);
  }
  if (size < 4) {
    return Status::error(
        "%s: magic: expected 4 bytes, the file has %zu", name, size);
  }
  const std::uint32_t magic = read_be32(bytes);
  if (bytes[0] != 0 || bytes[1] != 0) {
    return Status::error(
        "%s: magic 0x%08" PRIx32 " is not IDX: expected 0x0000TTNN "
        "(first two bytes zero)", name, magic);
  }
  if (!idx_type_valid(bytes[2])) {
    return Status::error(
        "%s: magic 0x%08" PRIx32 " has type code 0x%02X; expected 08 u8, "
        "09 i8, 0B i16, 0C i32, 0D f32 or 0E f64", name, magic, bytes[2]);
  }
  const int rank = bytes[3];
  if (rank == 0) {
    return Status::error(
        "%s: magic 0x%08" PRIx32 " declares 0 dimensions; expected at least 1",
        name, magic);
  }
  IdxHeader h;
  h.type = static_cast<IdxType>(bytes[2]);
  h.rank = rank;
  h.header_bytes = 4 + 4 * static_cast<std::uint64_t>(rank);
  if (size < h.header_bytes) {
    return Status::error(
        "%s: header: magic 0x%08" PRIx32 " needs %" PRIu64
        " header bytes, the file has %zu", name, magic, h.header_bytes, size);
  }
  std::uint64_t elements = 1;
  for (int d = 0; d < rank; ++d) {
    const std::uint32_t dim = read_be32(bytes + 4 + 4 * d);
    h.dims[d] = dim;
    if (dim != 0 && elements > UINT64_MAX / dim) {
      return Status::error(
          "%s: dimension %d (%" PRIu32 ") makes the element count overflow "
          "64 bits", name, d, dim);
    }
    elements *= dim;
  }
  const std::uint64_t width = idx_type_bytes(h.type);
  if (elements > (UINT64_MAX - h.header_bytes) / width) {
    return Status::error(
        "%s: %" PRIu64 " %s elements overflow a 64-bit byte count", name,
        elements, idx_type_name(h.type));
  }
  h.elements = elements;
  h.payload_bytes = elements * width;
  h.file_bytes = h.header_bytes + h.payload_bytes;
  if (h.file_bytes > SIZE_MAX) {
    return Status::error(
        "%s: size %" PRIu64 " bytes does not fit this machine's size_t",
        name, h.file_bytes);
  }
  *header = h;
  return Status::success();
}

Status idx_check_file_bytes(const IdxHeader& header, std::uint64_t file_bytes,
                            const char* name) {
  if (file_bytes == header.file_bytes) return Status::success();
  char dims[64];
  idx_format_dims(header, dims, sizeof dims);
  if (file_bytes < header.file_bytes) {
    return Status::error(
        "%s: truncated: header (%s %s) says %" PRIu64 " bytes, the file has %"
        PRIu64, name, idx_type_name(header.type), dims, header.file_bytes,
        file_bytes);
  }
  return Status::error(
      "%s: too long: header (%s %s) says %" PRIu64 " bytes, the file has %"
      PRIu64, name, idx_type_name(header.type), dims, header.file_bytes,
      file_bytes);
}

Status idx_parse(const unsigned char* bytes, std::size_t size,
                 const char* name, IdxHeader* header) {
  IdxHeader h;
  Status status = idx_parse_header(bytes, size, name, &h);
  if (!status.ok()) return status;
  status = idx_check_file_bytes(h, size, name == nullptr ? "(memory)" : name);
  if (!status.ok()) return status;
  *header = h;
  return Status::success();
}

void idx_decode(const IdxHeader& header, const unsigned char* file_bytes,
                void* payload) {
  const std::size_t width = idx_type_bytes(header.type);
  const unsigned char* src = file_bytes + header.header_bytes;
  auto* dst = static_cast<unsigned char*>(payload);
  if (width == 1) {
    if (header.payload_bytes != 0) {
      std::memcpy(dst, src, idx_payload_bytes(header));
    }
    return;
  }
  to_host_order(width, src, dst, static_cast<std::size_t>(header.elements));
}

// Used by idx_load on the bytes it read in place.
void idx_payload_to_host_order(const IdxHeader& header, void* payload) {
  const std::size_t width = idx_type_bytes(header.type);
  if (width == 1) return;
  auto* p = static_cast<unsigned char*>(payload);
  to_host_order(width, p, p, static_cast<std::size_t>(header.elements));
}

void idx_format_dims(const IdxHeader& header, char* out, std::size_t capacity) {
  if (capacity == 0) return;
  out[0] = '\0';
  std::size_t used = 0;
  for (int d = 0; d < header.rank; ++d) {
    char part[16];
    const int n = std::snprintf(part, sizeof part, "%s%" PRIu32,
                                d == 0 ? "" : "x", header.dims[d]);
    // Keep room for "..." so a cut list never looks complete.
    if (used + static_cast<std::size_t>(n) + 4 > capacity) {
      std::snprintf(out + used, capacity - used, "...");
      return;
    }
    std::memcpy(out + used, part, static_cast<std::size_t>(n) + 1);
    used += static_cast<std::size_t>(n);
  }
}

}  // namespace tacit
