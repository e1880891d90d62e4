/* examples/train/train.cpp in C, through tacit/c_api.h: trains a 2-16-16-2
 * MLP to tell points in a circle from those outside; saves, reloads, scores it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tacit/c_api.h>
enum { ROWS = 256 };
static uint64_t state = 1;
static float uniform_pm1(void) { /* xorshift64*: 24 bits, as a float in [-1, 1) */
  state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
  return (float)((state * 2685821657736338717u) >> 40) / 8388608.0f - 1.0f;
}
static void circle(float* x, int32_t* labels) { /* ROWS new points */
  for (int i = 0; i < ROWS; ++i, x += 2) {
    x[0] = uniform_pm1(), x[1] = uniform_pm1();
    labels[i] = x[0] * x[0] + x[1] * x[1] < 0.5f;
  }
}
int main(int argc, char** argv) { /* train PATH */
  if (argc != 2) return fprintf(stderr, "usage: %s PATH\n", argv[0]), 2;
  static const int widths[] = {2, 16, 16, 2};
  tacit_trainer_config config = tacit_trainer_config_default(); /* Adam, cross-entropy */
  config.widths = widths, config.count = 4, config.batch = ROWS, config.lr = 1e-2;
  const size_t bytes = tacit_trainer_bytes(&config);
  const size_t copy_bytes = tacit_model_bytes(widths, 4, NULL, ROWS);
  void *memory = malloc(bytes), *copy = malloc(copy_bytes); /* null: refused below */
  tacit_trainer* trainer = NULL;
  tacit_model* loaded = NULL;
  tacit_status s = tacit_trainer_create(&config, memory, bytes, &trainer);
  float x[2 * ROWS], p[2 * ROWS];
  int32_t labels[ROWS];
  int correct = 0;
  for (int step = 0; s.code == 0 && step < 1000; ++step) { /* a fresh batch every step */
    circle(x, labels);
    s = tacit_trainer_step_labels(trainer, x, labels, ROWS, NULL);
  }
  if (s.code == 0) s = tacit_model_save(tacit_trainer_model(trainer), argv[1]);
  if (s.code == 0) s = tacit_model_load(argv[1], ROWS, NULL, copy, copy_bytes, &loaded);
  circle(x, labels); /* points it never saw */
  if (s.code == 0) s = tacit_model_predict(loaded, x, ROWS, TACIT_PROBABILITIES, p);
  if (s.code != 0) return fprintf(stderr, "%s\n", tacit_status_message(s)), 1;
  for (int i = 0; i < ROWS; ++i) correct += (p[2 * i + 1] > p[2 * i]) == labels[i];
  printf("accuracy of the reloaded model on new points: %d/%d\n", correct, ROWS);
  free(memory), free(copy);
  return correct >= 0.95 * ROWS ? 0 : 1;
}
