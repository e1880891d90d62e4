/* tacit/c_api.h as C99 under -Wpedantic (warning_level=3; -Werror with
 * -Dwerror=true): the header compiles, links from C and answers. */
#include <stdio.h>
#include <string.h>

#include "tacit/c_api.h"

static int failures = 0;
static void check(int ok, const char* what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    ++failures;
  }
}

int main(void) {
  static const int widths[] = {3, 5, 2};
  tacit_trainer_config config = tacit_trainer_config_default();
  tacit_trainer* trainer = NULL;
  tacit_status s;
  unsigned char memory[1 << 14];
  float x[3] = {0.5f, -0.25f, 1.0f}, out[2];
  int32_t label = 1;
  size_t bytes;
  config.widths = widths;
  config.count = 3;
  config.batch = 1;
  bytes = tacit_trainer_bytes(&config);
  check(bytes > 0 && bytes <= sizeof memory, "tacit_trainer_bytes fits the test's buffer");
  s = tacit_trainer_create(&config, memory + 1, bytes - 1, &trainer);
  check(s.code != TACIT_OK && strstr(tacit_status_message(s), "tacit_trainer_bytes") != NULL,
        "one byte short: refused, naming tacit_trainer_bytes");
  s = tacit_trainer_create(&config, memory + 1, bytes, &trainer);
  check(s.code == TACIT_OK && strcmp(tacit_status_message(s), "ok") == 0, "created");
  if (s.code == TACIT_OK) {
    s = tacit_trainer_step_labels(trainer, x, &label, 1, NULL);
    check(s.code == TACIT_OK, "a step");
    s = tacit_model_predict(tacit_trainer_model(trainer), x, 1, TACIT_PROBABILITIES, out);
    check(s.code == TACIT_OK && out[0] + out[1] > 0.99f, "probabilities");
    label = 2;
    s = tacit_trainer_step_labels(trainer, x, &label, 1, NULL);
    check(s.code != TACIT_OK && strstr(tacit_status_message(s), "label") != NULL,
          "label 2 of 2 classes refused");
  }
  check(strcmp(tacit_version_string(), TACIT_VERSION_STRING) == 0, "version");
  printf("tacit %s from C: %s\n", tacit_version_string(), failures ? "FAILED" : "passed");
  return failures != 0;
}
