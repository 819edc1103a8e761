/*
 * libexplainer: Explainer's enrichment as a plugin for another integration engine.
 *
 * Stable C ABI. One engine is created from the configuration file explainerd reads (mappings,
 * content, policy, default language, released statuses; listener, destination, store and
 * retry keys may be present and are ignored). explainer_enrich() takes one message — HL7 v2
 * (ER7) or a FHIR R4 resource in JSON or XML — and returns exactly what `explainer enrich`
 * prints for it (byte for byte): the enriched message, or the message as received when nothing
 * applies, plus a JSON summary of what was attached, held and not explained.
 *
 * Threading: explainer_enrich() may be called concurrently from any number of threads on one
 * engine, also while another thread calls explainer_engine_reload() (each call sees one
 * complete snapshot of mappings and content). explainer_engine_destroy() must not race with
 * any other call on that engine. Results are independent of their engine and of each other.
 *
 * Ownership: every explainer_result the library hands out is freed with explainer_result_free();
 * pointers obtained from a result stay valid until then. Strings are UTF-8 and NUL-terminated.
 *
 * Errors: no C++ exception ever leaves the library. Functions return an explainer_status; the
 * message is explainer_result_error() for a result and explainer_last_error() for the calling
 * thread. Messages never contain patient data.
 *
 * Fail open: when enrichment fails (EXPLAINER_ERROR_INPUT or any other error), deliver your
 * original message unchanged; the library never asks you to drop one.
 *
 * Versioning: see docs/EMBEDDING.md. The ABI major version is EXPLAINER_ABI_VERSION and the
 * shared object's SONAME (libexplainer.so.1); additions keep it, any incompatible change bumps
 * both. Check explainer_abi_version() == EXPLAINER_ABI_VERSION at load time.
 */
#ifndef EXPLAINER_EXPLAINER_H
#define EXPLAINER_EXPLAINER_H

#include <stddef.h>

#if defined(EXPLAINER_BUILDING_LIBRARY)
#define EXPLAINER_API __attribute__((visibility("default")))
#else
#define EXPLAINER_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define EXPLAINER_ABI_VERSION 1

typedef struct explainer_engine explainer_engine;
typedef struct explainer_result explainer_result;

typedef enum explainer_status {
  EXPLAINER_OK = 0,
  EXPLAINER_ERROR_INVALID_ARGUMENT = 1, /* NULL pointer, unknown format or flag */
  EXPLAINER_ERROR_CONFIG = 2,           /* configuration unreadable, unknown or invalid key */
  EXPLAINER_ERROR_DATA = 3,             /* mappings or content do not load (file, line, reason) */
  EXPLAINER_ERROR_INPUT = 4,            /* the message is not readable in its format */
  EXPLAINER_ERROR_OUT_OF_MEMORY = 5,
  EXPLAINER_ERROR_INTERNAL = 6 /* a bug; the message says what failed */
} explainer_status;

/* Input format for explainer_enrich(). AUTO: FHIR JSON if the first non-space character is
 * '{', FHIR XML if '<', HL7 v2 otherwise. */
typedef enum explainer_format {
  EXPLAINER_FORMAT_AUTO = 0,
  EXPLAINER_FORMAT_HL7V2 = 1,
  EXPLAINER_FORMAT_FHIR_JSON = 2,
  EXPLAINER_FORMAT_FHIR_XML = 3
} explainer_format;

/* Flags for explainer_enrich(), OR-ed; unknown bits are EXPLAINER_ERROR_INVALID_ARGUMENT. */
#define EXPLAINER_FLAG_OBX_ED 0x1u           /* HL7 v2: OBX as ED (HTML, base64), not FT */
#define EXPLAINER_FLAG_FHIR_CONTAINED 0x2u   /* FHIR: contained DocumentReferences, no Bundle */
#define EXPLAINER_FLAG_FHIR_OUTPUT_JSON 0x4u /* FHIR: write JSON whatever the input */
#define EXPLAINER_FLAG_FHIR_OUTPUT_XML 0x8u  /* FHIR: write XML whatever the input */

/* EXPLAINER_ABI_VERSION of the loaded library. */
EXPLAINER_API int explainer_abi_version(void);
/* The product version, e.g. "0.1.0". Static storage. */
EXPLAINER_API const char* explainer_version(void);
/* "ok", "invalid_argument", "config", "data", "input", "out_of_memory", "internal"; "unknown"
 * for anything else. Static storage. */
EXPLAINER_API const char* explainer_status_name(int status);
/* Message of the last call on this thread that failed; "" after a call that succeeded.
 * Valid until the next call on this thread. */
EXPLAINER_API const char* explainer_last_error(void);

/* Loads the configuration, mappings and content. On success *engine_out is the engine (destroy
 * it with explainer_engine_destroy); on failure it is NULL and explainer_last_error() says why. */
EXPLAINER_API int explainer_engine_create(const char* config_path, explainer_engine** engine_out);
/* Reloads mappings and content from the directories the configuration names. Each is swapped
 * only when it loads cleanly; enrich calls keep using the previous snapshot meanwhile. */
EXPLAINER_API int explainer_engine_reload(explainer_engine* engine);
/* Frees the engine. NULL is ignored. */
EXPLAINER_API void explainer_engine_destroy(explainer_engine* engine);

/* Enriches one message of `size` bytes (`data` need not be NUL-terminated; NULL only with size
 * 0). `format` is an explainer_format, `flags` EXPLAINER_FLAG_* bits.
 * When result_out is not NULL, *result_out receives a result whatever the status (NULL only
 * when out of memory); free it with explainer_result_free(). Returns the result's status. */
EXPLAINER_API int explainer_enrich(explainer_engine* engine, const char* data, size_t size,
                                   int format, unsigned flags, explainer_result** result_out);

/* Accessors; all accept NULL (returning EXPLAINER_ERROR_INVALID_ARGUMENT, "", NULL or 0). */
EXPLAINER_API int explainer_result_status(const explainer_result* result);
/* "" when the status is EXPLAINER_OK. */
EXPLAINER_API const char* explainer_result_error(const explainer_result* result);
/* The message to deliver (the enriched one, or the input as received when nothing was added);
 * NULL with *size 0 unless the status is EXPLAINER_OK. Followed by a NUL not counted in *size.
 * size may be NULL. */
EXPLAINER_API const char* explainer_result_data(const explainer_result* result, size_t* size);
/* 1 when at least one explanation was attached, else 0. */
EXPLAINER_API int explainer_result_enriched(const explainer_result* result);
/* JSON: {"format","ok","error"(when not ok),"enriched","reason","explanations":[{"report",
 * "finding_id","content_id","version","language","review_status","used_fallback",
 * "attached_as"}],"held":[...],"not_explained":{"reason":count}}. No patient data. */
EXPLAINER_API const char* explainer_result_summary(const explainer_result* result);
/* Frees a result. NULL is ignored. */
EXPLAINER_API void explainer_result_free(explainer_result* result);

#ifdef __cplusplus
}
#endif

#endif /* EXPLAINER_EXPLAINER_H */
