// --svg: a bar chart in the manner of the paper's Figure 10, written as
// plain SVG 1.1 text (no scripts, no external resources).
#pragma once

#include <string>
#include <vector>

#include "repro/results.h"

namespace repro {

struct Bar {
  std::string label[2];  // two lines under the bar; the second may be empty
  double mean = 0.0;
  double ci95 = 0.0;     // whisker half-width
  double paper = -1.0;   // the paper's value, marked; < 0: none
  std::string color;     // fill, e.g. "#4c72b0"
};

struct BarChart {
  std::string title;
  std::string subtitle;
  std::string y_label;
  std::vector<Bar> bars;  // values in [0, 1]
};

// A condition's color: Figure 10's six, then more for further students.
const char* condition_color(int condition);

// &, <, >, " and ' as entities.
std::string xml_escape(const std::string& text);

// The pieces every chart is drawn with. A coordinate with one decimal:
// enough for a screen, and stable text.
std::string svg_number(double v);
void svg_text(std::string& out, double x, double y, const char* anchor, int size,
              const std::string& body, const char* extra = "");
void svg_line(std::string& out, double x1, double y1, double x2, double y2, const char* stroke,
              double width, const char* extra = "");
// The XML declaration, the <svg> element of width x height, its <title>, a
// white background and the title in bold at the top; close with "</svg>\n".
std::string svg_begin(double width, double height, const std::string& title);

std::string bar_chart_svg(const BarChart& chart);

// The conditions of results, titled with the run count and config.
BarChart results_chart(const Results& results);

// --trajectory-svg: each student's mean test accuracy against training
// progress (in epochs), one line per student, from the trajectory points.
std::string trajectory_svg(const Results& results);

}  // namespace repro
