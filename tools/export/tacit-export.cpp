// Writes a checkpoint as a C/C++ header for firmware without a filesystem
// (examples/embed/): the header is the library's (tacit::export_c_header,
// tacit/export.h); this program reads the flags, loads the checkpoint and,
// with --image, adds an MNIST test image and the logits this host computes
// for it.
// Exit status: 0 success, 1 failure, 2 usage error.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "tacit/export.h"
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
      "The header is the library's tacit::export_c_header (tacit/export.h); this\n"
      "program adds only --image's arrays.\n"
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

// The command line into *o; help and usage errors are main's to act on.
tacit_cli::ParseResult parse(int argc, char** argv, Options* o) {
  using namespace tacit_cli;
  const Command command{kTool, {
      path("-o", &o->output, "--output"),
      custom("--name", "a C identifier ([A-Za-z_][A-Za-z0-9_]*)",
             [o](const char* value, std::string*) {
               o->name = value;
               return export_name_valid(value);
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

bool put(ExportSink sink, const std::string& text) {
  return sink.write(sink.context, text.data(), text.size());
}

// What --image adds before the header's end: the test image, its label and
// the host's logits for it (examples/embed checks them).
struct ImageSection {
  const Options& options;
  const Image& image;
};

Status write_image(void* context, ExportSink sink) {
  const ImageSection& section = *static_cast<const ImageSection*>(context);
  const Image& image = section.image;
  const std::string& n = section.options.name;
  std::string macro = n;
  for (char& c : macro) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  if (!put(sink, "\n#define " + macro + "_HAS_INPUT 1\n")) {
    return Status::error("export sink: a write was refused");
  }
  char comment[120];
  std::snprintf(comment, sizeof comment, "MNIST test image %ld (label %d), pixels p as "
                "(p / 255 - 0.5) / 0.5", section.options.image, static_cast<int>(image.label));
  Status status = export_c_float_array(sink, ("static const float " + n + "_input").c_str(),
                                       image.pixels.data(), image.pixels.size(), comment);
  if (!status) return status;
  if (!put(sink, "static const int " + n + "_input_label = " +
                     std::to_string(static_cast<int>(image.label)) + ";\n")) {
    return Status::error("export sink: a write was refused");
  }
  return export_c_float_array(
      sink, ("static const float " + n + "_expected_logits").c_str(), image.logits.data(),
      image.logits.size(),
      "the logits tacit-export computed for the input on its host (tacit::mlp_infer)");
}

bool write_stdio(void* context, const char* bytes, std::size_t size) {
  return std::fwrite(bytes, 1, size, static_cast<std::FILE*>(context)) == size;
}

int run(const Options& o) {
  tacit_tools::LoadedModel model;
  Status status = tacit_tools::load_model(o.model.c_str(), &model);
  if (!status) return fail(status);
  const Mlp& mlp = model.mlp;
  // A float literal cannot spell NaN or infinity (export_c_header refuses
  // them too; checked here before the image's logits are computed).
  status = tacit_tools::check_finite(o.model.c_str(), mlp);
  if (!status) return fail(status);
  Image image;
  if (o.image >= 0) {
    status = load_image(o, mlp, &image);
    if (!status) return fail(status);
  }

  tacit_tools::OutputFile header(kTool);
  if (!header.open(o.output)) return tacit_cli::kExitFailure;
  ExportOptions options;
  options.name = o.name.c_str();
  options.generator = kTool;
  options.source = o.model.c_str();
  ImageSection section{o, image};
  if (o.image >= 0) {
    options.append = write_image;
    options.append_context = &section;
  }
  ExportSink sink;
  sink.context = header.stream();
  sink.write = write_stdio;
  status = export_c_header(mlp, options, sink);
  // A refused write leaves the stream in error: commit() says why, with
  // the system's reason, and removes the temporary.
  if (!status && std::ferror(header.stream()) == 0) return fail(status);
  return header.commit() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse, print_help, run);
}
