// Inspects IDX files and MNIST directories through the library's strict
// loader, so what this tool accepts is exactly what training accepts.
// Exit status: 0 success, 1 invalid data, 2 usage error.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/json.h"
#include "common/model_io.h"
#include "common/synthetic_digits.h"
#include "tacit/arena.h"
#include "tacit/idx.h"
#include "tacit/mnist.h"

namespace {

constexpr const char* kTool = "tacit-idx";

using namespace tacit;

constexpr int kOk = 0;
constexpr int kInvalid = 1;
constexpr int kUsage = 2;

void print_help() {
  std::printf(
      "usage: tacit-idx info FILE... [--json]\n"
      "       tacit-idx show FILE INDEX [--labels FILE] [--json]\n"
      "       tacit-idx check DIR [--json] [--time]\n"
      "       tacit-idx make-digits DIR\n"
      "       tacit-idx --help\n"
      "\n"
      "  info    type, dimensions and count (first dimension) of each IDX\n"
      "          file; for a 1-dimensional u8 file (labels), a histogram\n"
      "          of its values\n"
      "  show    draws image INDEX of a u8 (N, rows, cols) file in the terminal;\n"
      "          --labels FILE adds its label\n"
      "  check   validates an MNIST directory (the four files, either spelling):\n"
      "          exit 0 only when all are valid and consistent; --time also\n"
      "          times the loader against a plain read of the same files\n"
      "  make-digits  writes a tiny stand-in data set to DIR (which must\n"
      "          exist): ten test digits and one training digit drawn from\n"
      "          seven-segment strokes, in MNIST's file layout and names; for\n"
      "          offline tests and examples (they are not MNIST images)\n"
      "  --json  machine-readable output on stdout\n"
      "\n"
      "Exit status: 0 success, 1 invalid data, 2 usage error.\n");
}

int usage_error(const char* message) {
  tacit_cli::usage(kTool, "%s", message);
  return kUsage;
}

// Parses a subcommand's arguments (argv[0] is the subcommand); 0 to go on,
// otherwise the exit status.
int parse_command(const tacit_cli::Command& command, int argc, char** argv) {
  return tacit_cli::parse(command, argc, argv) == tacit_cli::ParseResult::run ? 0 : kUsage;
}

using tacit_tools::Buffer;

// ---- info -----------------------------------------------------------------

bool is_label_file(const IdxHeader& h) {
  return h.type == IdxType::u8 && h.rank == 1;
}

// Returns false (after printing why) when the file is invalid. With json,
// adds the file's object to it instead of printing text.
bool info_one(const char* path, tacit_tools::JsonWriter* json) {
  IdxHeader header;
  Status status = idx_read_header(path, &header);
  std::uint64_t histogram[256] = {};
  if (status.ok() && is_label_file(header)) {
    Buffer payload(idx_payload_bytes(header));
    if (!payload.ok()) {
      status = Status::error("%s: payload: cannot allocate %zu bytes", path,
                             idx_payload_bytes(header));
    } else {
      status = idx_load(path, header, payload.data(), idx_payload_bytes(header));
      for (std::size_t i = 0; status.ok() && i < idx_payload_bytes(header); ++i) {
        ++histogram[payload.data()[i]];
      }
    }
  }
  if (!status.ok()) {
    std::fprintf(stderr, "tacit-idx: %s\n", status.message());
    if (json != nullptr) {
      json->begin_object();
      json->key("file"); json->string(path);
      json->key("valid"); json->boolean(false);
      json->key("error"); json->string(status.message());
      json->end_object();
    }
    return false;
  }
  char dims[1024];
  idx_format_dims(header, dims, sizeof dims);
  if (json != nullptr) {
    char magic[16];
    std::snprintf(magic, sizeof magic, "0x%08" PRIx32, idx_magic(header.type, header.rank));
    json->begin_object();
    json->key("file"); json->string(path);
    json->key("valid"); json->boolean(true);
    json->key("type"); json->string(idx_type_name(header.type));
    json->key("magic"); json->string(magic);
    json->key("dims"); json->begin_array(true);
    for (int d = 0; d < header.rank; ++d) json->unsigned_integer(header.dims[d]);
    json->end_array();
    json->key("count"); json->unsigned_integer(header.dims[0]);
    json->key("elements"); json->unsigned_integer(header.elements);
    json->key("bytes"); json->unsigned_integer(header.file_bytes);
    if (is_label_file(header)) {
      json->key("histogram"); json->begin_object();
      for (int v = 0; v < 256; ++v) {
        if (histogram[v] == 0) continue;
        json->key(std::to_string(v).c_str()); json->unsigned_integer(histogram[v]);
      }
      json->end_object();
    }
    json->end_object();
    return true;
  }
  std::printf("%s: %s, %d dimension%s %s, count %" PRIu32 ", %" PRIu64
              " elements, %" PRIu64 " bytes\n", path, idx_type_name(header.type),
              header.rank, header.rank == 1 ? "" : "s", dims, header.dims[0],
              header.elements, header.file_bytes);
  if (is_label_file(header)) {
    std::printf("  values:");
    for (int v = 0; v < 256; ++v) {
      if (histogram[v] != 0) std::printf(" %d:%" PRIu64, v, histogram[v]);
    }
    std::printf("\n");
  }
  return true;
}

int run_info(int argc, char** argv) {
  bool json = false;
  std::vector<std::string> files;
  const tacit_cli::Command command{"tacit-idx info", {tacit_cli::on("--json", &json)}, {},
                                   &files};
  if (const int status = parse_command(command, argc, argv)) return status;
  if (files.empty()) return usage_error("info: expected FILE");
  tacit_tools::JsonWriter writer;
  writer.begin_object();
  writer.key("files");
  writer.begin_array();
  bool all_valid = true;
  for (const std::string& file : files) {
    all_valid = info_one(file.c_str(), json ? &writer : nullptr) && all_valid;
  }
  writer.end_array();
  writer.end_object();
  if (json) std::fputs(writer.text().c_str(), stdout);
  return all_valid ? kOk : kInvalid;
}

// ---- show -----------------------------------------------------------------

// Blocks by intensity; two columns per pixel keep the digit's aspect.
const char* shade(std::uint8_t p) {
  if (p < 32) return "  ";
  if (p < 96) return "\u2591\u2591";
  if (p < 160) return "\u2592\u2592";
  if (p < 224) return "\u2593\u2593";
  return "\u2588\u2588";
}

// Loads a whole u8 file after checking its shape; prints why not.
bool load_u8(const char* path, int rank, const char* role, IdxHeader* header,
             std::vector<std::uint8_t>* out) {
  Status status = idx_read_header(path, header);
  if (status.ok() && (header->type != IdxType::u8 || header->rank != rank)) {
    status = Status::error(
        "%s: magic 0x%08" PRIx32 " means a %d-dimensional %s array; %s need "
        "0x%08" PRIx32, path, idx_magic(header->type, header->rank),
        header->rank, idx_type_name(header->type), role,
        idx_magic(IdxType::u8, rank));
  }
  if (status.ok()) {
    Buffer payload(idx_payload_bytes(*header));
    if (!payload.ok()) {
      status = Status::error("%s: payload: cannot allocate %zu bytes", path,
                             idx_payload_bytes(*header));
    } else {
      status = idx_load(path, *header, payload.data(), idx_payload_bytes(*header));
      if (status.ok()) {
        out->assign(payload.data(), payload.data() + idx_payload_bytes(*header));
      }
    }
  }
  if (!status.ok()) std::fprintf(stderr, "tacit-idx: %s\n", status.message());
  return status.ok();
}

int run_show(int argc, char** argv) {
  bool json = false;
  std::string labels_path, file, index_text;
  const tacit_cli::Command command{"tacit-idx show", {
      tacit_cli::on("--json", &json),
      tacit_cli::path("--labels", &labels_path)}, {{"FILE", &file}, {"INDEX", &index_text}}};
  if (const int status = parse_command(command, argc, argv)) return status;
  long long index = 0;
  if (!tacit_cli::parse_whole(index_text.c_str(), 0, 2147483647L, &index)) {
    tacit_cli::usage(kTool, "show: INDEX: '%s' is not a whole number from 0 to 2147483647",
                     index_text.c_str());
    return kUsage;
  }
  IdxHeader header;
  std::vector<std::uint8_t> images;
  if (!load_u8(file.c_str(), 3, "images", &header, &images)) return kInvalid;
  if (static_cast<std::uint64_t>(index) >= header.dims[0]) {
    std::fprintf(stderr, "tacit-idx: show: INDEX %lld: expected < %" PRIu32
                 " (the images in %s)\n", index, header.dims[0], file.c_str());
    return kUsage;
  }
  int label = -1;
  if (!labels_path.empty()) {
    IdxHeader label_header;
    std::vector<std::uint8_t> labels;
    if (!load_u8(labels_path.c_str(), 1, "labels", &label_header, &labels)) return kInvalid;
    if (label_header.dims[0] != header.dims[0]) {
      std::fprintf(stderr, "tacit-idx: %s: count: expected %" PRIu32
                   " labels (as %s has images), found %" PRIu32 "\n",
                   labels_path.c_str(), header.dims[0], file.c_str(),
                   label_header.dims[0]);
      return kInvalid;
    }
    label = labels[static_cast<std::size_t>(index)];
  }
  const std::uint32_t rows = header.dims[1];
  const std::uint32_t cols = header.dims[2];
  const std::uint8_t* image =
      images.data() + static_cast<std::size_t>(index) * rows * cols;
  if (json) {
    tacit_tools::JsonWriter writer;
    writer.begin_object();
    writer.key("file"); writer.string(file.c_str());
    writer.key("index"); writer.integer(index);
    writer.key("rows"); writer.unsigned_integer(rows);
    writer.key("cols"); writer.unsigned_integer(cols);
    if (label >= 0) {
      writer.key("label"); writer.integer(label);
    }
    writer.key("pixels"); writer.begin_array();
    for (std::uint32_t r = 0; r < rows; ++r) {
      writer.begin_array(true);
      for (std::uint32_t c = 0; c < cols; ++c) writer.integer(image[r * cols + c]);
      writer.end_array();
    }
    writer.end_array();
    writer.end_object();
    std::fputs(writer.text().c_str(), stdout);
    return kOk;
  }
  std::printf("%s [%lld] %" PRIu32 "x%" PRIu32, file.c_str(), index, rows, cols);
  if (label >= 0) std::printf(", label %d", label);
  std::printf("\n");
  for (std::uint32_t r = 0; r < rows; ++r) {
    std::printf("|");
    for (std::uint32_t c = 0; c < cols; ++c) std::fputs(shade(image[r * cols + c]), stdout);
    std::printf("|\n");
  }
  return kOk;
}

// ---- check ----------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// fread of the same four files, each into its own region of one reused
// buffer, as the loader does: the floor any loader is measured against.
// The buffer is 64-byte aligned like an arena: from malloc's 16-byte
// alignment the kernel's copy measured 3x slower here.
bool plain_read(const char* dir, const MnistInfo& info, unsigned char* buffer,
                std::size_t capacity) {
  std::size_t used = 0;
  for (int s = 0; s < 2; ++s) {
    for (int f = 0; f < 2; ++f) {
      char path[4200];
      std::snprintf(path, sizeof path, "%s/%s", dir, info.file_name[s][f]);
      std::FILE* file = std::fopen(path, "rb");
      if (file == nullptr) return false;
      used += std::fread(buffer + used, 1, capacity - used, file);
      std::fclose(file);
    }
  }
  return true;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int time_load(const char* dir, const MnistInfo& info, Buffer& memory,
              std::size_t memory_bytes) {
  constexpr int kRepetitions = 7;
  // The four files' sizes plus one byte, so a read never fills the buffer.
  std::size_t plain_bytes = 1;
  for (int s = 0; s < 2; ++s) {
    const auto n = static_cast<std::size_t>(info.count[s]);
    plain_bytes += 16 + n * kMnistPixels + 8 + n;
  }
  const std::size_t buffer_bytes = arena_buffer_bytes(arena_block_bytes(plain_bytes));
  Buffer plain(buffer_bytes);
  if (!plain.ok()) return kInvalid;
  auto* aligned = static_cast<unsigned char*>(
      Arena(plain.data(), buffer_bytes).take(plain_bytes));
  if (aligned == nullptr) return kInvalid;
  // Non-zero, so the compiler cannot turn malloc+memset into an untouched
  // calloc; both sides then write into pages already mapped.
  std::memset(aligned, 1, plain_bytes);
  if (!plain_read(dir, info, aligned, plain_bytes)) return kInvalid;
  std::vector<double> load_times;
  std::vector<double> read_times;
  for (int r = 0; r < kRepetitions; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!plain_read(dir, info, aligned, plain_bytes)) return kInvalid;
    read_times.push_back(seconds_since(start));
    start = std::chrono::steady_clock::now();
    MnistInfo again;
    Arena arena(memory.data(), memory_bytes);
    Mnist mnist;
    if (!mnist_inspect(dir, &again).ok() ||
        !mnist_load(dir, again, arena, &mnist).ok()) {
      return kInvalid;
    }
    load_times.push_back(seconds_since(start));
  }
  const double load = median(load_times);
  const double read = median(read_times);
  std::printf("timing (%d repetitions, warm cache, reused buffers):\n"
              "  plain fread of the four files: median %.2f ms, min %.2f ms\n"
              "  mnist_inspect + mnist_load:    median %.2f ms, min %.2f ms\n"
              "  ratio (medians): %.2f\n", kRepetitions, read * 1e3,
              *std::min_element(read_times.begin(), read_times.end()) * 1e3,
              load * 1e3,
              *std::min_element(load_times.begin(), load_times.end()) * 1e3,
              load / read);
  return kOk;
}

int run_check(int argc, char** argv) {
  bool json = false;
  bool timing = false;
  std::string dir_name;
  const tacit_cli::Command command{"tacit-idx check", {
      tacit_cli::on("--json", &json),
      tacit_cli::on("--time", &timing)}, {{"DIR", &dir_name}}};
  if (const int status = parse_command(command, argc, argv)) return status;
  const char* dir = dir_name.c_str();
  if (json && timing) return usage_error("check: --time prints text; drop --json");
  MnistInfo info;
  Status status = mnist_inspect(dir, &info);
  const std::size_t bytes = status.ok() ? arena_buffer_bytes(mnist_bytes(info)) : 0;
  Buffer memory(bytes);
  Mnist mnist;
  if (status.ok() && !memory.ok()) {
    status = Status::error("%s: cannot allocate %zu bytes for the data set", dir, bytes);
  }
  if (status.ok()) {
    Arena arena(memory.data(), bytes);
    status = mnist_load(dir, info, arena, &mnist);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "tacit-idx: %s\n", status.message());
    if (json) {
      tacit_tools::JsonWriter writer;
      writer.begin_object();
      writer.key("dir"); writer.string(dir);
      writer.key("valid"); writer.boolean(false);
      writer.key("error"); writer.string(status.message());
      writer.end_object();
      std::fputs(writer.text().c_str(), stdout);
    }
    return kInvalid;
  }
  const bool canonical = info.count[0] == kMnistTrainCount &&
                         info.count[1] == kMnistTestCount;
  if (json) {
    tacit_tools::JsonWriter writer;
    writer.begin_object();
    writer.key("dir"); writer.string(dir);
    writer.key("valid"); writer.boolean(true);
    writer.key("canonical_counts"); writer.boolean(canonical);
    for (int s = 0; s < 2; ++s) {
      writer.key(mnist_split_name(static_cast<MnistSplitId>(s)));
      writer.begin_object();
      writer.key("count"); writer.integer(info.count[s]);
      writer.key("images"); writer.string(info.file_name[s][0]);
      writer.key("labels"); writer.string(info.file_name[s][1]);
      writer.end_object();
    }
    writer.end_object();
    std::fputs(writer.text().c_str(), stdout);
    return kOk;
  }
  std::printf("%s: valid MNIST\n", dir);
  for (int s = 0; s < 2; ++s) {
    std::printf("  %-5s %6d images, labels 0-9 (%s, %s)\n",
                mnist_split_name(static_cast<MnistSplitId>(s)), info.count[s],
                info.file_name[s][0], info.file_name[s][1]);
  }
  std::printf("  counts are %s (60000 train, 10000 test)\n",
              canonical ? "canonical" : "NOT canonical");
  return timing ? time_load(dir, info, memory, bytes) : kOk;
}

}  // namespace

int main(int argc, char** argv) {
  tacit_cli::exit_on_out_of_memory(kTool);
  if (tacit_cli::help_requested(argc, argv) ||
      (argc >= 2 && std::strcmp(argv[1], "help") == 0)) {
    print_help();
    return kOk;
  }
  if (argc < 2) return usage_error("expected a command: info, show, check or make-digits");
  const char* command = argv[1];
  if (std::strcmp(command, "info") == 0) return run_info(argc - 1, argv + 1);
  if (std::strcmp(command, "show") == 0) return run_show(argc - 1, argv + 1);
  if (std::strcmp(command, "check") == 0) return run_check(argc - 1, argv + 1);
  if (std::strcmp(command, "make-digits") == 0) {
    std::string dir;
    const tacit_cli::Command make{"tacit-idx make-digits", {}, {{"DIR", &dir}}};
    if (const int status = parse_command(make, argc - 1, argv + 1)) return status;
    return tacit_tools::write_synthetic_digits(dir.c_str()) ? kOk : kInvalid;
  }
  tacit_cli::usage(kTool, "unknown command '%s'", command);
  return kUsage;
}
