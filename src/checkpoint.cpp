// Checkpoints in memory (docs/FORMAT.md). Every integer and float is read
// and written byte by byte in little-endian order, so the host's byte order
// never matters; floats travel as their IEEE bits.
#include "tacit/checkpoint.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "checkpoint_internal.h"
#include "tacit/crc32.h"

namespace tacit {

namespace {

// Magic, version and layer count: what says how long the rest of the header is.
constexpr std::size_t kFixedHeaderBytes = 16;

void put_u32(unsigned char* out, std::uint32_t v) {
  out[0] = static_cast<unsigned char>(v);
  out[1] = static_cast<unsigned char>(v >> 8);
  out[2] = static_cast<unsigned char>(v >> 16);
  out[3] = static_cast<unsigned char>(v >> 24);
}

std::uint32_t float_bits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

std::uint32_t get_u32(const unsigned char* in) {
  return static_cast<std::uint32_t>(in[0]) | static_cast<std::uint32_t>(in[1]) << 8 |
         static_cast<std::uint32_t>(in[2]) << 16 | static_cast<std::uint32_t>(in[3]) << 24;
}

// The magic as found, printable: "GIF89a\x01\x00".
void describe_bytes(const unsigned char* bytes, std::size_t size, char* out) {
  static const char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned char c = bytes[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      *out++ = static_cast<char>(c);
    } else {
      *out++ = '\\';
      *out++ = 'x';
      *out++ = kHex[c >> 4];
      *out++ = kHex[c & 15];
    }
  }
  *out = '\0';
}

Status check_magic(const unsigned char* bytes, std::size_t size, const char* name) {
  const std::size_t have = size < sizeof kCheckpointMagic ? size : sizeof kCheckpointMagic;
  if (have != 0 && std::memcmp(bytes, kCheckpointMagic, have) != 0) {
    char found[4 * sizeof kCheckpointMagic + 1];
    describe_bytes(bytes, have, found);
    return Status::error("%s: magic: expected \"TACITMLP\", found \"%s\" (not a tacit "
                         "checkpoint)", name, found);
  }
  return Status::success();
}

Status truncated_header(const char* name, std::size_t needed, std::size_t size) {
  return Status::error("%s: truncated: the header needs %zu bytes, found %zu", name,
                       needed, size);
}

}  // namespace

namespace checkpoint_detail {

Status check_size(const MlpSpec& spec, std::uint64_t total, const char* name) {
  char theirs[96];
  mlp_spec_text(spec, theirs, sizeof theirs);
  const std::size_t expected = checkpoint_bytes(spec);
  if (total < expected) {
    return Status::error("%s: truncated: expected %zu bytes for a %s model, found %llu",
                         name, expected, theirs, static_cast<unsigned long long>(total));
  }
  if (total > expected) {
    return Status::error("%s: trailing bytes: expected %zu bytes for a %s model, found "
                         "%llu (%llu extra)", name, expected, theirs,
                         static_cast<unsigned long long>(total),
                         static_cast<unsigned long long>(total - expected));
  }
  return Status::success();
}

Status check(const unsigned char* bytes, std::size_t available, std::uint64_t total,
             const char* name, const Mlp& mlp) {
  MlpSpec spec;
  Status status = checkpoint_parse_spec(bytes, available, name, &spec);
  if (!status.ok()) return status;
  char mine[96];
  char theirs[96];
  mlp_spec_text(mlp.spec, mine, sizeof mine);
  mlp_spec_text(spec, theirs, sizeof theirs);
  if (spec.layers != mlp.spec.layers) {
    return Status::error("%s: layers: expected %d (the caller's model is %s), found %d "
                         "(the file's is %s)", name, mlp.spec.layers, mine, spec.layers,
                         theirs);
  }
  for (int i = 0; i <= spec.layers; ++i) {
    if (spec.widths[i] != mlp.spec.widths[i]) {
      return Status::error("%s: widths[%d]: expected %d (the caller's model is %s), "
                           "found %d (the file's is %s)", name, i, mlp.spec.widths[i],
                           mine, spec.widths[i], theirs);
    }
  }
  for (int l = 0; l + 1 < spec.layers; ++l) {
    if (spec.activation[l] != mlp.spec.activation[l]) {
      return Status::error("%s: activations[%d]: expected %s (the caller's model is %s), "
                           "found %s (the file's is %s)", name, l,
                           activation_name(mlp.spec.activation[l]), mine,
                           activation_name(spec.activation[l]), theirs);
    }
  }
  status = check_size(spec, total, name);
  if (!status.ok()) return status;
  const std::size_t expected = checkpoint_bytes(spec);
  const std::uint32_t computed = crc32(bytes, expected - 4);
  const std::uint32_t stored = get_u32(bytes + expected - 4);
  if (computed != stored) {
    return Status::error("%s: crc32: expected 0x%08lx (computed over the header and "
                         "parameters), found 0x%08lx (stored): the file is corrupt", name,
                         static_cast<unsigned long>(computed),
                         static_cast<unsigned long>(stored));
  }
  return Status::success();
}

std::size_t write_header(const MlpSpec& spec, unsigned char* out) {
  std::memcpy(out, kCheckpointMagic, sizeof kCheckpointMagic);
  const std::uint32_t version = checkpoint_version(spec);
  put_u32(out + 8, version);
  put_u32(out + 12, static_cast<std::uint32_t>(spec.layers));
  unsigned char* p = out + 16;
  for (int i = 0; i <= spec.layers; ++i, p += 4) {
    put_u32(p, static_cast<std::uint32_t>(spec.widths[i]));
  }
  for (int l = 0; version >= 2 && l + 1 < spec.layers; ++l, p += 4) {
    put_u32(p, static_cast<std::uint32_t>(spec.activation[l]));
  }
  return static_cast<std::size_t>(p - out);
}

std::uint32_t crc(const Mlp& mlp) {
  unsigned char chunk[kCheckpointMaxHeaderBytes > 256 ? kCheckpointMaxHeaderBytes : 256];
  std::uint32_t sum = crc32_update(0, chunk, write_header(mlp.spec, chunk));
  // The parameters' little-endian bytes, a chunk at a time.
  constexpr std::size_t kPerChunk = sizeof chunk / 4;
  for (std::size_t i = 0; i < mlp.param_count; i += kPerChunk) {
    const std::size_t n = mlp.param_count - i < kPerChunk ? mlp.param_count - i : kPerChunk;
    for (std::size_t j = 0; j < n; ++j) put_u32(chunk + 4 * j, float_bits(mlp.params[i + j]));
    sum = crc32_update(sum, chunk, 4 * n);
  }
  return sum;
}

}  // namespace checkpoint_detail

std::uint32_t checkpoint_version(const MlpSpec& spec) { return mlp_all_relu(spec) ? 1 : 2; }

std::size_t checkpoint_bytes(const MlpSpec& spec) {
  return checkpoint_header_bytes(spec.layers, checkpoint_version(spec)) +
         4 * mlp_param_count(spec) + 4;
}

Status checkpoint_write(const Mlp& mlp, unsigned char* out, std::size_t capacity) {
  const std::size_t needed = checkpoint_bytes(mlp.spec);
  if (out == nullptr || capacity < needed) {
    return Status::error("checkpoint buffer: expected %zu bytes (checkpoint_bytes), "
                         "found %zu", needed, out == nullptr ? std::size_t{0} : capacity);
  }
  unsigned char* p = out + checkpoint_detail::write_header(mlp.spec, out);
  for (std::size_t i = 0; i < mlp.param_count; ++i, p += 4) put_u32(p, float_bits(mlp.params[i]));
  put_u32(p, crc32(out, static_cast<std::size_t>(p - out)));
  return Status::success();
}

Status checkpoint_parse_spec(const unsigned char* bytes, std::size_t size,
                             const char* name, MlpSpec* spec) {
  if (bytes == nullptr) size = 0;
  Status status = check_magic(bytes, size, name);
  if (!status.ok()) return status;
  if (size < kFixedHeaderBytes) return truncated_header(name, kFixedHeaderBytes, size);
  const std::uint32_t version = get_u32(bytes + 8);
  if (version == 0) {
    return Status::error("%s: version: expected 1 to %lu, found 0", name,
                         static_cast<unsigned long>(kCheckpointVersion));
  }
  if (version > kCheckpointVersion) {
    return Status::error("%s: version: expected at most %lu, found %lu (written by a "
                         "newer tacit)", name, static_cast<unsigned long>(kCheckpointVersion),
                         static_cast<unsigned long>(version));
  }
  const std::uint32_t layers = get_u32(bytes + 12);
  if (layers < 1 || layers > static_cast<std::uint32_t>(kMaxLayers)) {
    return Status::error("%s: layers: expected 1 to %d, found %lu", name, kMaxLayers,
                         static_cast<unsigned long>(layers));
  }
  const int layer_count = static_cast<int>(layers);
  if (size < checkpoint_header_bytes(layer_count, version)) {
    return truncated_header(name, checkpoint_header_bytes(layer_count, version), size);
  }
  int widths[kMaxLayers + 1];
  for (int i = 0; i <= layer_count; ++i) {
    const std::uint32_t width = get_u32(bytes + 16 + 4 * i);
    if (width < 1 || width > static_cast<std::uint32_t>(kMlpMaxWidth)) {
      return Status::error("%s: widths[%d]: expected 1 to %lu, found %lu", name, i,
                           static_cast<unsigned long>(kMlpMaxWidth),
                           static_cast<unsigned long>(width));
    }
    widths[i] = static_cast<int>(width);
  }
  Activation activations[kMaxLayers] = {};
  bool all_relu = true;
  const unsigned char* codes = bytes + 16 + 4 * (layer_count + 1);
  for (int l = 0; version >= 2 && l + 1 < layer_count; ++l) {
    const std::uint32_t code = get_u32(codes + 4 * l);
    if (code >= static_cast<std::uint32_t>(kActivationCount)) {
      return Status::error("%s: activations[%d]: expected 0 to %d (0 relu, 1 tanh, "
                           "2 sigmoid, 3 gelu), found %lu", name, l, kActivationCount - 1,
                           static_cast<unsigned long>(code));
    }
    activations[l] = static_cast<Activation>(code);
    all_relu = all_relu && activations[l] == Activation::relu;
  }
  // One encoding per model: version 2 exists for what version 1 cannot say.
  if (version >= 2 && all_relu) {
    return Status::error("%s: version: expected 1 for a model whose hidden layers are all "
                         "ReLU, found %lu", name, static_cast<unsigned long>(version));
  }
  // mlp_spec refuses a model too large to size (a hostile header must not
  // wrap a 32-bit size_t into a small one).
  MlpSpec result;
  status = mlp_spec_activations(widths, layer_count + 1, activations, &result);
  if (!status.ok()) return Status::error("%s: widths: %s", name, status.message());
  *spec = result;
  return status;
}

Status checkpoint_read(const unsigned char* bytes, std::size_t size, const char* name,
                       Mlp& mlp) {
  if (bytes == nullptr) size = 0;
  Status status = checkpoint_detail::check(bytes, size, size, name, mlp);
  if (!status.ok()) return status;
  const unsigned char* p =
      bytes + checkpoint_header_bytes(mlp.spec.layers, checkpoint_version(mlp.spec));
  for (std::size_t i = 0; i < mlp.param_count; ++i, p += 4) {
    const std::uint32_t bits = get_u32(p);
    std::memcpy(&mlp.params[i], &bits, sizeof bits);
  }
  mlp_pack(mlp);
  return Status::success();
}

}  // namespace tacit
