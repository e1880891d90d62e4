#include "common/synthetic_digits.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/output_file.h"

namespace tacit_tools {

namespace {

constexpr int kSide = 28;

struct Point {
  double x, y;
};

// Segments a..g (top, upper right, lower right, bottom, lower left, upper
// left, middle) in a 12x20 box centred in the 28x28 frame, as MNIST's are.
constexpr double kLeft = 8.0, kRight = 19.0, kTop = 4.0, kMiddle = 13.5, kBottom = 23.0;
constexpr Point kSegments[7][2] = {
    {{kLeft, kTop}, {kRight, kTop}},       {{kRight, kTop}, {kRight, kMiddle}},
    {{kRight, kMiddle}, {kRight, kBottom}}, {{kLeft, kBottom}, {kRight, kBottom}},
    {{kLeft, kMiddle}, {kLeft, kBottom}},   {{kLeft, kTop}, {kLeft, kMiddle}},
    {{kLeft, kMiddle}, {kRight, kMiddle}},
};
// Which segments each digit lights, bit s for segment s.
constexpr unsigned kLit[10] = {0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f};

double distance_to_segment(Point p, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  double t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy);
  t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
  const double ex = p.x - a.x - t * dx, ey = p.y - a.y - t * dy;
  return std::sqrt(ex * ex + ey * ey);
}

// slant: a slight italic, as handwriting has.
void draw(int digit, double slant, unsigned char* pixels) {
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      const Point p{x + 0.5 + slant * (y - 14), y + 0.5};
      double nearest = 1e9;
      for (int s = 0; s < 7; ++s) {
        if ((kLit[digit] >> s & 1u) == 0) continue;
        const double d = distance_to_segment(p, kSegments[s][0], kSegments[s][1]);
        nearest = d < nearest ? d : nearest;
      }
      // A 1.2-pixel core with a 1-pixel anti-aliased edge.
      double ink = 2.2 - nearest;
      ink = ink < 0.0 ? 0.0 : (ink > 1.0 ? 1.0 : ink);
      pixels[y * kSide + x] = static_cast<unsigned char>(std::floor(255.0 * ink + 0.5));
    }
  }
}

bool write_idx(const std::string& path, const unsigned* dims, int rank,
               const unsigned char* payload, std::size_t bytes) {
  OutputFile file("tacit-idx");
  if (!file.open(path)) return false;
  unsigned char header[4 + 4 * 3] = {0, 0, 0x08, static_cast<unsigned char>(rank)};
  for (int d = 0; d < rank; ++d)
    for (int b = 0; b < 4; ++b)
      header[4 + 4 * d + b] = static_cast<unsigned char>(dims[d] >> (24 - 8 * b));
  const std::size_t header_bytes = 4 + 4 * static_cast<std::size_t>(rank);
  std::fwrite(header, 1, header_bytes, file.stream());
  std::fwrite(payload, 1, bytes, file.stream());
  return file.commit();  // says why on failure
}

}  // namespace

bool write_synthetic_digits(const char* dir) {
  constexpr int kTestCount = 10;
  constexpr unsigned char kTestDigits[kTestCount] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  constexpr unsigned char kTrainDigit[1] = {5};
  static unsigned char test_images[kTestCount * kSide * kSide];
  static unsigned char train_image[kSide * kSide];
  for (int i = 0; i < kTestCount; ++i)
    draw(kTestDigits[i], 0.12 * (i % 3 - 1), test_images + i * kSide * kSide);
  draw(kTrainDigit[0], 0.1, train_image);

  const std::string base = std::string(dir) + "/";
  const unsigned test_dims[3] = {kTestCount, kSide, kSide};
  const unsigned test_count[1] = {kTestCount};
  const unsigned train_dims[3] = {1, kSide, kSide};
  const unsigned train_count[1] = {1};
  return write_idx(base + "t10k-images-idx3-ubyte", test_dims, 3, test_images,
                   sizeof test_images) &&
         write_idx(base + "t10k-labels-idx1-ubyte", test_count, 1, kTestDigits,
                   kTestCount) &&
         write_idx(base + "train-images-idx3-ubyte", train_dims, 3, train_image,
                   sizeof train_image) &&
         write_idx(base + "train-labels-idx1-ubyte", train_count, 1, kTrainDigit, 1);
}

}  // namespace tacit_tools
