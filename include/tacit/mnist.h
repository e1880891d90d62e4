// The MNIST data set on top of IDX: four files in one directory, images
// (N, 28, 28) u8 and labels (N) u8 per split, labels < 10.
// Size first: mnist_inspect reads and checks the four headers, mnist_bytes
// says how many arena bytes the pixels and labels take, mnist_load fills
// them. Pixels stay uint8_t; mnist_gather converts one batch to float.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/idx.h"
#include "tacit/status.h"
#include "tacit/version.h"

namespace tacit {

constexpr int kMnistRows = 28;
constexpr int kMnistCols = 28;
constexpr int kMnistPixels = kMnistRows * kMnistCols;  // 784
constexpr int kMnistClasses = 10;
// The canonical counts. The loader accepts any N >= 1 per split (subsets
// for tests); tacit-idx check reports whether a directory is canonical.
constexpr int kMnistTrainCount = 60000;
constexpr int kMnistTestCount = 10000;
// Counts above this are refused so that count * 784 fits an int32 index.
constexpr int kMnistMaxCount = 2147483647 / kMnistPixels;

enum class MnistSplitId { train = 0, test = 1 };
enum class MnistFile { images = 0, labels = 1 };

#if TACIT_HAS_FILES  // tacit/version.h: declared only where built

// "train", "test".
const char* mnist_split_name(MnistSplitId split);
// The canonical file name, e.g. "t10k-labels-idx1-ubyte".
const char* mnist_file_name(MnistSplitId split, MnistFile file);
// The spelling some mirrors use, e.g. "t10k-labels.idx1-ubyte".
const char* mnist_file_alt_name(MnistSplitId split, MnistFile file);

// What mnist_inspect found. Indexed [split][file] and [split].
struct MnistInfo {
  const char* file_name[2][2] = {};  // the spelling found (static strings)
  int count[2] = {};
};

struct MnistSplit {
  MnistSplitId id = MnistSplitId::train;
  int count = 0;
  const std::uint8_t* images = nullptr;  // (count, 784), row-major
  const std::uint8_t* labels = nullptr;  // (count), each < 10
};

struct Mnist {
  MnistSplit train;
  MnistSplit test;
  const MnistSplit& split(MnistSplitId id) const {
    return id == MnistSplitId::train ? train : test;
  }
};

// Checks a parsed header for the role it plays; `name` labels messages.
Status mnist_check_images_header(const IdxHeader& header, const char* name);
Status mnist_check_labels_header(const IdxHeader& header, const char* name);
// Every label < 10.
Status mnist_check_labels(const std::uint8_t* labels, std::size_t count,
                          const char* name);

// Finds the four files in `dir` (either spelling, canonical first), reads
// and checks their headers and sizes, and that counts agree within a split.
// Reads no payload and allocates nothing sized by the files.
Status mnist_inspect(const char* dir, MnistInfo* info);

// Arena bytes for one split of `count` images, and for a whole data set.
std::size_t mnist_split_bytes(int count);
std::size_t mnist_bytes(const MnistInfo& info);

// Loads the files mnist_inspect found into arena (exactly mnist_bytes(info)
// of it) and checks every label. On failure the arena may have been used.
Status mnist_load(const char* dir, const MnistInfo& info, Arena& arena,
                  Mnist* mnist);

// torchvision's ToTensor then Normalize(0.5, 0.5), pixels into [-1, 1],
// in binary32 with exactly these three roundings: p = 0 gives -1, 255 gives 1.
// Out of line, so a caller built with -ffast-math cannot change its bits.
float mnist_pixel_to_float(std::uint8_t p);

// images_out (count, 784) = mnist_pixel_to_float of the images at indices,
// labels_out (count). No allocation. Refuses an index >= split.count
// (writing nothing). With a Compute, its pool splits the images.
Status mnist_gather(const Compute& compute, const MnistSplit& split,
                    const std::uint32_t* indices, int count, float* images_out,
                    std::int32_t* labels_out);
Status mnist_gather(const MnistSplit& split, const std::uint32_t* indices,
                    int count, float* images_out, std::int32_t* labels_out);

#endif  // TACIT_HAS_FILES

}  // namespace tacit
