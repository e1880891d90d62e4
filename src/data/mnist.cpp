// The MNIST directory: finding the four files, checking each for its role
// and the pair of each split for agreement, then loading into an arena.
#include "tacit/mnist.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace tacit {
namespace {

constexpr const char* kNames[2][2] = {
    {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
    {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
};
constexpr const char* kAltNames[2][2] = {
    {"train-images.idx3-ubyte", "train-labels.idx1-ubyte"},
    {"t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"},
};
constexpr std::size_t kPathCapacity = 4096;

Status join(const char* dir, const char* name, const char* suffix, char* out) {
  const std::size_t dir_len = std::strlen(dir);
  const char last = dir_len > 0 ? dir[dir_len - 1] : '/';
#if defined(_WIN32)
  const bool slash = last != '/' && last != '\\' && last != ':';  // "C:" is a drive's folder
#else
  const bool slash = last != '/';
#endif
  const int n = std::snprintf(out, kPathCapacity, "%s%s%s%s", dir,
                              slash ? "/" : "", name, suffix);
  if (n < 0 || static_cast<std::size_t>(n) >= kPathCapacity) {
    return Status::error("%s: directory path: expected under %zu bytes",
                         dir, kPathCapacity - 32);
  }
  return Status::success();
}

// Whether dir has an entry by this name: a dangling symbolic link or a
// loop counts, so that reading it reports the real cause, not "no such file".
bool exists(const char* path) {
  std::error_code ec;
  const auto st = std::filesystem::symlink_status(path, ec);
  return st.type() != std::filesystem::file_type::not_found &&
         st.type() != std::filesystem::file_type::none;
}

Status check_dir(const char* dir) {
  if (dir == nullptr || dir[0] == '\0') {
    return Status::error("MNIST directory: expected a path, found an empty one");
  }
  std::error_code ec;
  const auto st = std::filesystem::status(dir, ec);
  if (st.type() == std::filesystem::file_type::not_found) {
    return Status::error(
        "%s: no such directory; expected the directory of the four MNIST files", dir);
  }
  if (ec) {
    return Status::error("%s: cannot read: %s", dir, ec.message().c_str());
  }
  if (st.type() != std::filesystem::file_type::directory) {
    return Status::error("%s: is not a directory; expected the MNIST directory",
                         dir);
  }
  return Status::success();
}

// Picks the spelling present in dir (canonical first) and writes its path.
Status find_file(const char* dir, int split, int file, const char** name,
                 char* path) {
  const char* names[2] = {kNames[split][file], kAltNames[split][file]};
  for (const char* candidate : names) {
    Status status = join(dir, candidate, "", path);
    if (!status.ok()) return status;
    if (exists(path)) {
      *name = candidate;
      return Status::success();
    }
  }
  for (const char* candidate : names) {
    Status status = join(dir, candidate, ".gz", path);
    if (!status.ok()) return status;
    if (exists(path)) {
      return Status::error(
          "%s: found %s.gz but no %s; decompress it (gunzip -k)", dir, candidate,
          candidate);
    }
  }
  return Status::error("%s: no %s (nor %s); expected the four MNIST files", dir,
                       names[0], names[1]);
}

Status check_count(const IdxHeader& header, const char* name,
                   const char* what) {
  if (header.dims[0] == 0) {
    return Status::error("%s: count: expected at least 1 %s, found 0", name,
                         what);
  }
  if (header.dims[0] > static_cast<std::uint32_t>(kMnistMaxCount)) {
    return Status::error("%s: count: expected at most %d %s, found %" PRIu32,
                         name, kMnistMaxCount, what, header.dims[0]);
  }
  return Status::success();
}

// Reads the header of one file and checks it for its role.
Status read_role_header(const char* path, int file, IdxHeader* header) {
  Status status = idx_read_header(path, header);
  if (!status.ok()) return status;
  return file == static_cast<int>(MnistFile::images)
             ? mnist_check_images_header(*header, path)
             : mnist_check_labels_header(*header, path);
}

}  // namespace

const char* mnist_split_name(MnistSplitId split) {
  return split == MnistSplitId::train ? "train" : "test";
}

const char* mnist_file_name(MnistSplitId split, MnistFile file) {
  return kNames[static_cast<int>(split)][static_cast<int>(file)];
}

const char* mnist_file_alt_name(MnistSplitId split, MnistFile file) {
  return kAltNames[static_cast<int>(split)][static_cast<int>(file)];
}

Status mnist_check_images_header(const IdxHeader& header, const char* name) {
  const std::uint32_t want = idx_magic(IdxType::u8, 3);
  if (header.type != IdxType::u8 || header.rank != 3) {
    return Status::error(
        "%s: magic 0x%08" PRIx32 " means a %d-dimensional %s array; images "
        "need 0x%08" PRIx32, name, idx_magic(header.type, header.rank),
        header.rank, idx_type_name(header.type), want);
  }
  if (header.dims[1] != kMnistRows || header.dims[2] != kMnistCols) {
    return Status::error(
        "%s: image size: expected %dx%d, found %" PRIu32 "x%" PRIu32, name,
        kMnistRows, kMnistCols, header.dims[1], header.dims[2]);
  }
  return check_count(header, name, "image");
}

Status mnist_check_labels_header(const IdxHeader& header, const char* name) {
  const std::uint32_t want = idx_magic(IdxType::u8, 1);
  if (header.type != IdxType::u8 || header.rank != 1) {
    return Status::error(
        "%s: magic 0x%08" PRIx32 " means a %d-dimensional %s array; labels "
        "need 0x%08" PRIx32, name, idx_magic(header.type, header.rank),
        header.rank, idx_type_name(header.type), want);
  }
  return check_count(header, name, "label");
}

Status mnist_check_labels(const std::uint8_t* labels, std::size_t count,
                          const char* name) {
  for (std::size_t i = 0; i < count; ++i) {
    if (labels[i] >= kMnistClasses) {
      return Status::error("%s: label %zu: expected 0..9, found %u", name, i,
                           static_cast<unsigned>(labels[i]));
    }
  }
  return Status::success();
}

Status mnist_inspect(const char* dir, MnistInfo* info) {
  Status status = check_dir(dir);
  if (!status.ok()) return status;
  MnistInfo found;
  char path[kPathCapacity];
  for (int split = 0; split < 2; ++split) {
    std::uint32_t counts[2] = {};
    for (int file = 0; file < 2; ++file) {
      status = find_file(dir, split, file, &found.file_name[split][file], path);
      if (!status.ok()) return status;
      IdxHeader header;
      status = read_role_header(path, file, &header);
      if (!status.ok()) return status;
      counts[file] = header.dims[0];
    }
    if (counts[0] != counts[1]) {
      return Status::error(
          "%s: %s split: expected as many labels as images; %s has %" PRIu32
          " images, %s has %" PRIu32 " labels", dir,
          mnist_split_name(static_cast<MnistSplitId>(split)),
          found.file_name[split][0], counts[0], found.file_name[split][1],
          counts[1]);
    }
    found.count[split] = static_cast<int>(counts[0]);
  }
  *info = found;
  return Status::success();
}

std::size_t mnist_split_bytes(int count) {
  const auto n = static_cast<std::size_t>(count);
  return arena_block_bytes(n * kMnistPixels) + arena_block_bytes(n);
}

std::size_t mnist_bytes(const MnistInfo& info) {
  return mnist_split_bytes(info.count[0]) + mnist_split_bytes(info.count[1]);
}

Status mnist_load(const char* dir, const MnistInfo& info, Arena& arena,
                  Mnist* mnist) {
  Status status = check_dir(dir);
  if (!status.ok()) return status;
  Mnist loaded;
  char path[kPathCapacity];
  for (int split = 0; split < 2; ++split) {
    const auto id = static_cast<MnistSplitId>(split);
    const int count = info.count[split];
    if (count < 1 || count > kMnistMaxCount || info.file_name[split][0] ==
        nullptr || info.file_name[split][1] == nullptr) {
      return Status::error(
          "%s: %s split: MnistInfo is not from mnist_inspect (count %d)", dir,
          mnist_split_name(id), count);
    }
    const std::size_t sizes[2] = {static_cast<std::size_t>(count) * kMnistPixels,
                                  static_cast<std::size_t>(count)};
    std::uint8_t* buffers[2] = {};
    for (int file = 0; file < 2; ++file) {
      buffers[file] = static_cast<std::uint8_t*>(arena.take(sizes[file]));
      if (buffers[file] == nullptr) {
        return Status::error(
            "%s: arena: expected %zu free bytes for the %s split, found %zu "
            "(size it with mnist_bytes)", dir, mnist_split_bytes(count),
            mnist_split_name(id), arena.remaining());
      }
      status = join(dir, info.file_name[split][file], "", path);
      if (!status.ok()) return status;
      IdxHeader header;
      status = read_role_header(path, file, &header);
      if (!status.ok()) return status;
      if (header.dims[0] != static_cast<std::uint32_t>(count)) {
        return Status::error(
            "%s: count: expected %d (as mnist_inspect found), found %" PRIu32
            " (changed since?)", path, count, header.dims[0]);
      }
      status = idx_load(path, header, buffers[file], sizes[file]);
      if (!status.ok()) return status;
    }
    status = mnist_check_labels(buffers[1], sizes[1], path);
    if (!status.ok()) return status;
    MnistSplit& out = split == 0 ? loaded.train : loaded.test;
    out.id = id;
    out.count = count;
    out.images = buffers[0];
    out.labels = buffers[1];
  }
  *mnist = loaded;
  return Status::success();
}

}  // namespace tacit
