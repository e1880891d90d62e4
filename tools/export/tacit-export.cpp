// Writes a checkpoint as a C/C++ header for firmware without a filesystem:
// the spec as macros and arrays, each layer's weights as `static const float`
// arrays in the layout the forward product reads (Wᵀ), and the scratch size
// inference needs, so a program runs the model from flash with one static
// buffer (examples/embed/). Floats are printed with "%.9g", which reads back
// as the same binary32 (9 significant digits always suffice), so the header
// holds the checkpoint's bits exactly.
// Exit status: 0 success, 1 failure, 2 usage error.
#include <cctype>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "tacit/crc32.h"
#include "tacit/infer.h"
#include "tacit/isa.h"

namespace {

constexpr const char* kTool = "tacit-export";

using namespace tacit;

void print_help() {
  std::printf(
      "usage: tacit-export MODEL -o FILE [--name NAME] [--image N [--data DIR]]\n"
      "\n"
      "Writes MODEL (a checkpoint, docs/FORMAT.md) to FILE as a header that C++\n"
      "firmware includes to run the model with no heap, no threads and no files.\n"
      "Arrays (`static const`, named with NAME as given): NAME_widths,\n"
      "NAME_activations (each hidden layer's activation code, for\n"
      "mlp_view_create), NAME_weights_t[l] (layer l's W transposed, (in, out)),\n"
      "NAME_biases[l].\n"
      "Macros (NAME upper-cased: tacit_model gives TACIT_MODEL_...): _LAYERS,\n"
      "_INPUTS, _OUTPUTS, _PARAMS, _CHECKPOINT_CRC32, and _ARENA_BYTES, the size\n"
      "of the one static buffer tacit::mlp_infer needs for one input. The\n"
      "header's comment shows the few calls that run it.\n"
      "Every float is printed with %%.9g and reads back bit for bit.\n"
      "\n"
      "  -o, --output FILE\n"
      "                 the header to write (replaced only once it is complete)\n"
      "  --name NAME    prefix of every symbol, a C identifier (default tacit_model)\n"
      "  --image N      also embed MNIST test image N (scaled to [-1, 1] as in\n"
      "                 training) as NAME_input, its label NAME_input_label, and\n"
      "                 the logits this machine computes for it as\n"
      "                 NAME_expected_logits, and define _HAS_INPUT (examples/embed\n"
      "                 needs it: it checks those logits)\n"
      "  --data DIR     MNIST directory for --image (default: $TACIT_MNIST_DIR,\n"
      "                 else data/mnist)\n"
      "  --help         this text\n"
      "\n"
      "Include the header in one source file: every array is `static`.\n");
}

struct Options {
  std::string model;
  std::string output;
  std::string name = "tacit_model";
  std::string data;  // empty: mnist_dir()'s default
  long image = -1;
};

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The command line into *o; help and usage errors are main's to act on.
tacit_cli::ParseResult parse(int argc, char** argv, Options* o) {
  using namespace tacit_cli;
  const Command command{kTool, {
      path("-o", &o->output, "--output"),
      custom("--name", "a C identifier ([A-Za-z_][A-Za-z0-9_]*)",
             [o](const char* value, std::string*) {
               o->name = value;
               return is_identifier(o->name);
             }),
      path("--data", &o->data),
      whole("--image", 0, kMnistMaxCount, &o->image)}, {{"MODEL", &o->model}}};
  const ParseResult result = tacit_cli::parse(command, argc, argv);
  if (result != ParseResult::run) return result;
  // path() refuses an empty value, so empty means not given.
  const char* missing = o->output.empty()                 ? "expected -o FILE"
                        : !o->data.empty() && o->image < 0 ? "--data is only for --image"
                                                           : nullptr;
  if (missing == nullptr) return ParseResult::run;
  usage(kTool, "%s", missing);
  return ParseResult::usage_error;
}

int fail(const Status& status) {
  std::fprintf(stderr, "tacit-export: %s\n", status.message());
  return tacit_cli::kExitFailure;
}

std::string upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "%.9g" plus what makes it a float literal: 1 -> 1.0f, -0 -> -0.0f.
void put_float(std::FILE* f, float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(v));
  const bool has_point = std::strpbrk(text, ".e") != nullptr;
  std::fprintf(f, "%s%sf", text, has_point ? "" : ".0");
}

void put_array(std::FILE* f, const std::string& type_and_name, const float* values,
               std::size_t count, const std::string& comment) {
  std::fprintf(f, "\n// %s\n%s[%zu] = {", comment.c_str(), type_and_name.c_str(), count);
  for (std::size_t i = 0; i < count; ++i) {
    std::fputs(i % 8 == 0 ? "\n   " : "", f);
    std::fputc(' ', f);
    put_float(f, values[i]);
    std::fputc(',', f);
  }
  std::fputs("\n};\n", f);
}

struct Image {
  std::vector<float> pixels;
  std::int32_t label = 0;
  std::vector<float> logits;
};

Status load_image(const Options& o, const Mlp& mlp, Image* image) {
  Status status = tacit_tools::check_mnist_model(o.model.c_str(), mlp.spec);
  if (!status) return status;
  tacit_tools::LoadedMnist data;
  const char* dir = tacit_tools::mnist_dir(o.data.empty() ? nullptr : o.data.c_str());
  status = tacit_tools::load_mnist(dir, &data);
  if (!status) return status;
  const MnistSplit& test = data.mnist.test;
  if (o.image >= test.count) {
    return Status::error("--image %ld: expected an index below %d (the test split's size)",
                         o.image, test.count);
  }
  image->pixels.resize(kMnistPixels);
  const auto index = static_cast<std::uint32_t>(o.image);
  status = mnist_gather(test, &index, 1, image->pixels.data(), &image->label);
  if (!status) return status;
  // The host's logits, through the same inference path firmware uses.
  std::vector<unsigned char> memory(arena_buffer_bytes(infer_workspace_bytes(mlp.spec, 1)));
  Arena arena(memory.data(), memory.size());
  InferWorkspace ws;
  status = infer_workspace_create(mlp.spec, 1, arena, &ws);
  if (!status) return status;
  image->logits.resize(static_cast<std::size_t>(mlp_outputs(mlp.spec)));
  status = mlp_infer(Compute{isa_best(), nullptr}, mlp_view(mlp), ws,
                     const_matrix(image->pixels.data(), 1, kMnistPixels),
                     matrix(image->logits.data(), 1, mlp_outputs(mlp.spec)));
  if (!status) return status;
  // A float literal cannot spell an overflow: refused, not written.
  const std::size_t j = tacit_tools::first_non_finite(image->logits.data(), image->logits.size());
  if (j < image->logits.size()) {
    return Status::error("%s: logit %zu of --image %ld is %g; expected a finite float "
                         "(NAME_expected_logits cannot hold it)", o.model.c_str(), j,
                         o.image, static_cast<double>(image->logits[j]));
  }
  return Status::success();
}

// The usage comment, the guard and the macros: what a consumer reads first.
void write_preamble(std::FILE* f, const Options& o, const Mlp& mlp, std::uint32_t crc) {
  const MlpSpec& spec = mlp.spec;
  const std::string& n = o.name;
  const std::string N = upper(n);
  const std::string shape = tacit_tools::widths_text(spec);
  std::fprintf(f,
      "// Generated by tacit-export from %s (checkpoint crc32 0x%08" PRIx32 "): do not edit.\n"
      "// A %s MLP: dense layers, an activation after each hidden one\n"
      "// (%s_activations), none after the last.\n"
      "// Layer l's weights are W transposed, (in, out) row-major, the layout\n"
      "// tacit's forward product reads, so inference runs from these arrays in\n"
      "// place (flash), with no copy. With tacit/infer.h:\n"
      "//\n"
      "//   tacit::MlpView view;\n"
      "//   tacit::mlp_view_create(%s_widths, %s_LAYERS + 1, %s_activations,\n"
      "//                          %s_weights_t, %s_biases, &view);\n"
      "//   static unsigned char scratch[%s_ARENA_BYTES];\n"
      "//   tacit::Arena arena(scratch, sizeof scratch);\n"
      "//   tacit::InferWorkspace ws;\n"
      "//   tacit::infer_workspace_create(view.spec, 1, arena, &ws);\n"
      "//   tacit::mlp_infer(tacit::Compute{}, view, ws,\n"
      "//                    tacit::const_matrix(input, 1, %s_INPUTS),\n"
      "//                    tacit::matrix(logits, 1, %s_OUTPUTS));\n"
      "//\n"
      "// Every array is static: include this header in one source file.\n"
      "#ifndef %s_H_\n#define %s_H_\n\n",
      o.model.c_str(), crc, shape.c_str(), n.c_str(), n.c_str(), N.c_str(), n.c_str(),
      n.c_str(), n.c_str(), N.c_str(),
      N.c_str(), N.c_str(), N.c_str(), N.c_str());
  std::fprintf(f, "#define %s_LAYERS %d\n#define %s_INPUTS %d\n#define %s_OUTPUTS %d\n",
               N.c_str(), spec.layers, N.c_str(), mlp_inputs(spec), N.c_str(),
               mlp_outputs(spec));
  std::fprintf(f, "#define %s_PARAMS %zu\n", N.c_str(), mlp.param_count);
  std::fprintf(f, "// The CRC-32 of the checkpoint this came from (docs/FORMAT.md).\n"
                  "#define %s_CHECKPOINT_CRC32 0x%08" PRIx32 "u\n", N.c_str(), crc);
  std::fprintf(f, "// Bytes of the buffer an Arena needs for infer_workspace_create(spec, 1)\n"
                  "// at any alignment: arena_buffer_bytes(infer_workspace_bytes(spec, 1)).\n"
                  "#define %s_ARENA_BYTES %zu\n\n",
               N.c_str(), arena_buffer_bytes(infer_workspace_bytes(spec, 1)));
  std::fprintf(f, "static const int %s_widths[%d] = {", n.c_str(), spec.layers + 1);
  for (int i = 0; i <= spec.layers; ++i) std::fprintf(f, "%s%d", i ? ", " : "", spec.widths[i]);
  std::fputs("};\n", f);
  std::fprintf(f, "// Hidden layer l's activation code (tacit::Activation: 0 relu, 1 tanh,\n"
                  "// 2 sigmoid, 3 gelu), l < %s_LAYERS - 1; the last entry, the output\n"
                  "// layer's, is 0 and unread.\n"
                  "static const int %s_activations[%d] = {", N.c_str(), n.c_str(), spec.layers);
  for (int l = 0; l < spec.layers; ++l) {
    std::fprintf(f, "%s%d", l ? ", " : "", static_cast<int>(mlp_activation(spec, l)));
  }
  std::fputs("};", f);
  for (int l = 0; l + 1 < spec.layers; ++l) {
    std::fprintf(f, "%s%s", l ? ", " : "  // ", activation_name(mlp_activation(spec, l)));
  }
  std::fputs("\n", f);
}

// Per layer Wᵀ and b, then the pointer tables mlp_view_create takes.
void write_layers(std::FILE* f, const std::string& n, const Mlp& mlp) {
  const MlpSpec& spec = mlp.spec;
  for (int l = 0; l < spec.layers; ++l) {
    const ConstMatrix wt = mlp_packed_weight(mlp, l);
    const std::string layer = std::to_string(l);
    put_array(f, "static const float " + n + "_w" + layer + "t", wt.data,
              static_cast<std::size_t>(wt.rows) * wt.cols,
              "layer " + layer + ": W transposed (" + std::to_string(wt.rows) + " in, " +
                  std::to_string(wt.cols) + " out)");
    put_array(f, "static const float " + n + "_b" + layer, mlp_bias(mlp, l),
              static_cast<std::size_t>(wt.cols),
              "layer " + layer + ": bias (" + std::to_string(wt.cols) + ")");
  }
  std::fprintf(f, "\nstatic const float* const %s_weights_t[%d] = {", n.c_str(), spec.layers);
  for (int l = 0; l < spec.layers; ++l) std::fprintf(f, "%s%s_w%dt", l ? ", " : "", n.c_str(), l);
  std::fprintf(f, "};\nstatic const float* const %s_biases[%d] = {", n.c_str(), spec.layers);
  for (int l = 0; l < spec.layers; ++l) std::fprintf(f, "%s%s_b%d", l ? ", " : "", n.c_str(), l);
  std::fputs("};\n", f);
}

// The test image, its label and the host's logits for it (--image).
void write_image(std::FILE* f, const Options& o, const Image& image) {
  const std::string& n = o.name;
  std::fprintf(f, "\n#define %s_HAS_INPUT 1\n", upper(n).c_str());
  char comment[120];
  std::snprintf(comment, sizeof comment, "MNIST test image %ld (label %d), pixels p as "
                "(p / 255 - 0.5) / 0.5", o.image, static_cast<int>(image.label));
  put_array(f, "static const float " + n + "_input", image.pixels.data(),
            image.pixels.size(), comment);
  std::fprintf(f, "static const int %s_input_label = %d;\n", n.c_str(),
               static_cast<int>(image.label));
  put_array(f, "static const float " + n + "_expected_logits", image.logits.data(),
            image.logits.size(),
            "the logits tacit-export computed for the input on its host (tacit::mlp_infer)");
}

void write_header(std::FILE* f, const Options& o, const Mlp& mlp, std::uint32_t crc,
                  const Image* image) {
  write_preamble(f, o, mlp, crc);
  write_layers(f, o.name, mlp);
  if (image != nullptr) write_image(f, o, *image);
  std::fprintf(f, "\n#endif  // %s_H_\n", upper(o.name).c_str());
}

int run(const Options& o) {
  tacit_tools::LoadedModel model;
  Status status = tacit_tools::load_model(o.model.c_str(), &model);
  if (!status) return fail(status);
  const Mlp& mlp = model.mlp;
  // A float literal cannot spell NaN or infinity.
  status = tacit_tools::check_finite(o.model.c_str(), mlp);
  if (!status) return fail(status);
  // The checkpoint's CRC names exactly which model the header holds.
  const std::size_t bytes = checkpoint_bytes(mlp.spec);
  const unsigned char* file = model.file();
  const std::uint32_t crc = crc32(file, bytes - 4);
  Image image;
  if (o.image >= 0) {
    status = load_image(o, mlp, &image);
    if (!status) return fail(status);
  }

  tacit_tools::OutputFile header(kTool);
  if (!header.open(o.output)) return tacit_cli::kExitFailure;
  write_header(header.stream(), o, mlp, crc, o.image >= 0 ? &image : nullptr);
  return header.commit() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse, print_help, run);
}
