/*
 * libexplainer from C: a real foreign-language host.
 *
 * usage: embed_test CONFIG EXPLAINER_CLI FIXTURE...
 *
 * For every fixture and two flag sets, the expected output is what the real CLI prints
 * (`explainer enrich --config CONFIG [...] FIXTURE`). Then 6 threads enrich every case many
 * times on one engine while the main thread reloads mappings and content, and each result must
 * equal the CLI's output byte for byte. Bad input (garbage, empty, NULL pointers, unknown
 * format/flags, bad config path) must return an error code and a message, never crash.
 * Exit 0 when everything held, 1 otherwise (each failure is printed).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explainer/explainer.h"

enum { kThreads = 6, kRounds = 5, kMaxCases = 256 };

typedef struct {
  const char* file;
  unsigned flags;
  char* input;
  size_t input_size;
  int cli_ok; /* the CLI exited 0 */
  char* expected;
  size_t expected_size;
} Case;

static Case cases[kMaxCases];
static int case_count = 0;
static explainer_engine* engine = NULL;
static atomic_int failures = 0;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
      atomic_fetch_add(&failures, 1);                      \
    }                                                      \
  } while (0)

static char* read_all(FILE* in, size_t* size) {
  size_t capacity = 4096, used = 0;
  char* buffer = malloc(capacity);
  if (!buffer) abort();
  for (;;) {
    if (used == capacity) {
      capacity *= 2;
      buffer = realloc(buffer, capacity);
      if (!buffer) abort();
    }
    const size_t n = fread(buffer + used, 1, capacity - used, in);
    if (n == 0) break;
    used += n;
  }
  *size = used;
  return buffer;
}

static char* read_file(const char* path, size_t* size) {
  FILE* in = fopen(path, "rb");
  if (!in) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  char* bytes = read_all(in, size);
  fclose(in);
  return bytes;
}

/* Runs the real CLI on one case; fills expected and cli_ok. */
static void run_cli(const char* cli, const char* config, Case* c) {
  char command[4096];
  snprintf(command, sizeof command, "'%s' enrich --config '%s'%s%s '%s' 2>/dev/null", cli, config,
           (c->flags & EXPLAINER_FLAG_OBX_ED) ? " --obx-format ed" : "",
           (c->flags & EXPLAINER_FLAG_FHIR_CONTAINED) ? " --fhir-mode contained" : "", c->file);
  FILE* pipe = popen(command, "r");
  if (!pipe) {
    perror("popen");
    exit(2);
  }
  c->expected = read_all(pipe, &c->expected_size);
  c->cli_ok = pclose(pipe) == 0;
}

static int same_as_cli(const Case* c, explainer_result* r) {
  size_t size = 0;
  const char* data = explainer_result_data(r, &size);
  if (!c->cli_ok) return explainer_result_status(r) != EXPLAINER_OK && data == NULL;
  return explainer_result_status(r) == EXPLAINER_OK && data != NULL && size == c->expected_size &&
         memcmp(data, c->expected, size) == 0 && data[size] == '\0';
}

static void* worker(void* arg) {
  const int id = (int)(size_t)arg;
  for (int round = 0; round < kRounds; ++round) {
    for (int k = 0; k < case_count; ++k) {
      /* Each thread walks the cases from a different start, so different messages overlap. */
      const Case* c = &cases[(k + id * 7) % case_count];
      explainer_result* r = NULL;
      const int status =
          explainer_enrich(engine, c->input, c->input_size, EXPLAINER_FORMAT_AUTO, c->flags, &r);
      CHECK(r != NULL, "no result for %s", c->file);
      CHECK(status == explainer_result_status(r), "status mismatch for %s", c->file);
      CHECK(same_as_cli(c, r), "thread %d: %s (flags %u) differs from `explainer enrich` (%s)", id,
            c->file, c->flags, explainer_result_error(r));
      CHECK(strstr(explainer_result_summary(r), "\"format\"") != NULL, "summary of %s: %s", c->file,
            explainer_result_summary(r));
      explainer_result_free(r);
    }
  }
  return NULL;
}

static void expect_error(const char* what, const char* data, size_t size, int format,
                         unsigned flags, int expected_status) {
  explainer_result* r = NULL;
  const int status = explainer_enrich(engine, data, size, format, flags, &r);
  CHECK(status == expected_status, "%s: status %d (%s), expected %d", what, status,
        explainer_status_name(status), expected_status);
  CHECK(r != NULL && explainer_result_status(r) == status, "%s: result status", what);
  CHECK(strlen(explainer_result_error(r)) > 0, "%s: no error message", what);
  CHECK(strlen(explainer_last_error()) > 0, "%s: no last error", what);
  size_t size_out = 99;
  CHECK(explainer_result_data(r, &size_out) == NULL && size_out == 0, "%s: data on error", what);
  explainer_result_free(r);
}

static void bad_input(const char* config) {
  explainer_engine* none = NULL;
  CHECK(explainer_engine_create("/nonexistent/explainer.properties", &none) ==
                EXPLAINER_ERROR_CONFIG &&
            none == NULL,
        "bad config path accepted");
  CHECK(strlen(explainer_last_error()) > 0, "bad config path: no message");
  CHECK(explainer_engine_create(NULL, &none) == EXPLAINER_ERROR_INVALID_ARGUMENT,
        "NULL config path accepted");
  CHECK(explainer_engine_create(config, NULL) == EXPLAINER_ERROR_INVALID_ARGUMENT,
        "NULL engine_out accepted");
  CHECK(explainer_engine_reload(NULL) == EXPLAINER_ERROR_INVALID_ARGUMENT, "reload(NULL)");

  const char garbage[] = "\x01\x02garbage \xff\xfe not a message";
  expect_error("garbage", garbage, sizeof garbage - 1, EXPLAINER_FORMAT_AUTO, 0,
               EXPLAINER_ERROR_INPUT);
  expect_error("empty", "", 0, EXPLAINER_FORMAT_AUTO, 0, EXPLAINER_ERROR_INPUT);
  expect_error("NULL data, size 0", NULL, 0, EXPLAINER_FORMAT_AUTO, 0, EXPLAINER_ERROR_INPUT);
  expect_error("NULL data, size 5", NULL, 5, EXPLAINER_FORMAT_AUTO, 0,
               EXPLAINER_ERROR_INVALID_ARGUMENT);
  expect_error("broken JSON", "{\"resourceType\":", 16, EXPLAINER_FORMAT_AUTO, 0,
               EXPLAINER_ERROR_INPUT);
  expect_error("broken XML", "<DiagnosticReport", 17, EXPLAINER_FORMAT_AUTO, 0,
               EXPLAINER_ERROR_INPUT);
  expect_error("v2 forced on JSON", "{}", 2, EXPLAINER_FORMAT_HL7V2, 0, EXPLAINER_ERROR_INPUT);
  expect_error("unknown format", "MSH|^~\\&|", 9, 42, 0, EXPLAINER_ERROR_INVALID_ARGUMENT);
  expect_error("unknown flag", "MSH|^~\\&|", 9, EXPLAINER_FORMAT_AUTO, 0x100u,
               EXPLAINER_ERROR_INVALID_ARGUMENT);
  expect_error("conflicting flags", "MSH|^~\\&|", 9, EXPLAINER_FORMAT_AUTO,
               EXPLAINER_FLAG_FHIR_OUTPUT_JSON | EXPLAINER_FLAG_FHIR_OUTPUT_XML,
               EXPLAINER_ERROR_INVALID_ARGUMENT);

  explainer_result* r = NULL;
  CHECK(explainer_enrich(NULL, "x", 1, 0, 0, &r) == EXPLAINER_ERROR_INVALID_ARGUMENT,
        "NULL engine accepted");
  CHECK(r != NULL && strlen(explainer_result_error(r)) > 0, "NULL engine: no message");
  explainer_result_free(r);
  CHECK(explainer_enrich(engine, "x", 1, 0, 0, NULL) == EXPLAINER_ERROR_INPUT,
        "NULL result_out: status still returned");

  /* Accessors on NULL. */
  CHECK(explainer_result_status(NULL) == EXPLAINER_ERROR_INVALID_ARGUMENT, "status(NULL)");
  CHECK(explainer_result_data(NULL, NULL) == NULL, "data(NULL)");
  CHECK(explainer_result_enriched(NULL) == 0, "enriched(NULL)");
  CHECK(explainer_result_summary(NULL) != NULL && explainer_result_error(NULL) != NULL,
        "strings of NULL");
  explainer_result_free(NULL);
  explainer_engine_destroy(NULL);
  CHECK(strcmp(explainer_status_name(EXPLAINER_ERROR_INPUT), "input") == 0 &&
            strcmp(explainer_status_name(-1), "unknown") == 0,
        "status names");
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: embed_test CONFIG EXPLAINER_CLI FIXTURE...\n");
    return 2;
  }
  const char* config = argv[1];
  const char* cli = argv[2];
  CHECK(explainer_abi_version() == EXPLAINER_ABI_VERSION, "ABI version %d",
        explainer_abi_version());
  CHECK(strlen(explainer_version()) > 0, "version string");

  const unsigned flag_sets[] = {0u, EXPLAINER_FLAG_OBX_ED | EXPLAINER_FLAG_FHIR_CONTAINED};
  for (int i = 3; i < argc; ++i) {
    for (size_t f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; ++f) {
      if (case_count == kMaxCases) break;
      Case* c = &cases[case_count++];
      c->file = argv[i];
      c->flags = flag_sets[f];
      c->input = read_file(argv[i], &c->input_size);
      run_cli(cli, config, c);
    }
  }

  CHECK(explainer_engine_create(config, &engine) == EXPLAINER_OK && engine != NULL,
        "engine from %s: %s", config, explainer_last_error());
  if (!engine) return 1;

  int enriched = 0;
  for (int k = 0; k < case_count; ++k) {
    explainer_result* r = NULL;
    explainer_enrich(engine, cases[k].input, cases[k].input_size, EXPLAINER_FORMAT_AUTO,
                     cases[k].flags, &r);
    enriched += explainer_result_enriched(r);
    explainer_result_free(r);
  }
  CHECK(enriched > 0, "no fixture was enriched: the comparison would prove little");

  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    pthread_create(&threads[t], NULL, worker, (void*)(size_t)t);
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(explainer_engine_reload(engine) == EXPLAINER_OK, "reload: %s", explainer_last_error());
  }
  for (int t = 0; t < kThreads; ++t) pthread_join(threads[t], NULL);

  bad_input(config);
  explainer_engine_destroy(engine);
  for (int k = 0; k < case_count; ++k) {
    free(cases[k].input);
    free(cases[k].expected);
  }
  const int failed = atomic_load(&failures);
  printf("%d case(s), %d enriched, %d thread(s) x %d round(s): %s\n", case_count, enriched,
         kThreads, kRounds, failed ? "FAILED" : "ok");
  return failed ? 1 : 0;
}
