// IDX files on disk. The size on disk is known before the header is
// trusted, and the payload goes straight into the caller's buffer.
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "data/idx_internal.h"
#include "file_io.h"
#include "tacit/idx.h"

namespace tacit {

using file_detail::File;
using file_detail::open_regular_file;
using file_detail::read_exactly;
namespace {

// Leaves the stream just past the header.
Status read_header(std::FILE* f, std::uint64_t file_bytes, const char* path,
                   IdxHeader* header) {
  unsigned char bytes[kIdxMaxHeaderBytes];
  const std::size_t magic_bytes = file_bytes < 4 ? file_bytes : 4;
  Status status = read_exactly(f, bytes, magic_bytes, path, "magic");
  if (!status.ok()) return status;
  std::size_t have = magic_bytes;
  const bool dims_follow = have == 4 && bytes[0] == 0 && bytes[1] == 0 &&
                           idx_type_valid(bytes[2]) && bytes[3] != 0;
  if (dims_follow) {
    const std::uint64_t rest = file_bytes - 4;
    const std::size_t want = 4 * static_cast<std::size_t>(bytes[3]);
    const std::size_t dim_bytes = rest < want ? static_cast<std::size_t>(rest)
                                              : want;
    status = read_exactly(f, bytes + 4, dim_bytes, path, "dimensions");
    if (!status.ok()) return status;
    have += dim_bytes;
  }
  // On failure this reports a short header with the file's real size.
  IdxHeader h;
  status = idx_parse_header(bytes, have, path, &h);
  if (!status.ok()) return status;
  status = idx_check_file_bytes(h, file_bytes, path);
  if (!status.ok()) return status;
  *header = h;
  return Status::success();
}

bool same_shape(const IdxHeader& a, const IdxHeader& b) {
  if (a.type != b.type || a.rank != b.rank) return false;
  for (int d = 0; d < a.rank; ++d) {
    if (a.dims[d] != b.dims[d]) return false;
  }
  return true;
}

}  // namespace

Status idx_read_header(const char* path, IdxHeader* header) {
  File file;
  std::uint64_t file_bytes = 0;
  Status status = open_regular_file(path, "IDX path", "an IDX file", &file, &file_bytes);
  if (!status.ok()) return status;
  return read_header(file.get(), file_bytes, path, header);
}

Status idx_load(const char* path, const IdxHeader& header, void* payload,
                std::size_t capacity) {
  const std::size_t needed = idx_payload_bytes(header);
  if (capacity < needed || (payload == nullptr && needed != 0)) {
    return Status::error(
        "%s: payload buffer: expected %zu bytes, found %zu", path, needed,
        payload == nullptr ? std::size_t{0} : capacity);
  }
  File file;
  std::uint64_t file_bytes = 0;
  Status status = open_regular_file(path, "IDX path", "an IDX file", &file, &file_bytes);
  if (!status.ok()) return status;
  IdxHeader now;
  status = read_header(file.get(), file_bytes, path, &now);
  if (!status.ok()) return status;
  if (!same_shape(now, header)) {
    char was[48];
    char is[48];
    idx_format_dims(header, was, sizeof was);
    idx_format_dims(now, is, sizeof is);
    return Status::error(
        "%s: changed since its header was read: expected %s %s, found %s %s",
        path, idx_type_name(header.type), was, idx_type_name(now.type), is);
  }
  status = read_exactly(file.get(), payload, needed, path, "payload");
  if (!status.ok()) return status;
  if (std::fgetc(file.get()) != EOF) {
    return Status::error(
        "%s: too long: bytes follow the %" PRIu64 " the header says "
        "(changed while reading?)", path, header.file_bytes);
  }
  if (needed != 0) idx_payload_to_host_order(header, payload);
  return Status::success();
}

}  // namespace tacit
