/*
 * A minimal test harness for lvs-ffi's C tests: TEST(name) { ... } registers a test,
 * CHECK(cond) and friends record a failure and end the test, and main() (from
 * HARNESS_MAIN) runs every test in order and prints cargo's summary line, which
 * tests/run adds up. Checks are thread-safe; inside threads use the *_T variants, which
 * record without returning.
 */
#ifndef LVS_FFI_HARNESS_H
#define LVS_FFI_HARNESS_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*harness_fn)(void);

static struct {
	const char *name;
	harness_fn fn;
} harness_tests[256];
static int harness_count;
static atomic_int harness_failures;

static void harness_register(const char *name, harness_fn fn)
{
	if (harness_count == 256)
		abort();
	harness_tests[harness_count].name = name;
	harness_tests[harness_count].fn = fn;
	harness_count++;
}

static void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	atomic_fetch_add(&harness_failures, 1);
}

#define TEST(name)                                                                   \
	static void name(void);                                                      \
	__attribute__((constructor)) static void harness_register_##name(void)     \
	{                                                                            \
		harness_register(#name, name);                                       \
	}                                                                            \
	static void name(void)

#define CHECK_T(cond) \
	((cond) ? 1 : (harness_fail(__FILE__, __LINE__, "check failed: %s", #cond), 0))
#define CHECK(cond)                  \
	do {                         \
		if (!CHECK_T(cond)) \
			return;      \
	} while (0)

#define CHECK_INT_T(actual, expected)                                                       \
	({                                                                                  \
		long long a_ = (long long)(actual), e_ = (long long)(expected);             \
		a_ == e_ ? 1                                                                \
			 : (harness_fail(__FILE__, __LINE__, "%s is %lld, expected %s (%lld)", \
					 #actual, a_, #expected, e_),                       \
			    0);                                                             \
	})
#define CHECK_INT(actual, expected)                   \
	do {                                          \
		if (!CHECK_INT_T(actual, expected)) \
			return;                       \
	} while (0)

#define CHECK_STR_T(actual, expected)                                                        \
	({                                                                                   \
		const char *a_ = (actual), *e_ = (expected);                                 \
		a_ && strcmp(a_, e_) == 0                                                    \
			? 1                                                                  \
			: (harness_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", \
					#actual, a_ ? a_ : "(null)", e_),                    \
			   0);                                                               \
	})
#define CHECK_STR(actual, expected)                   \
	do {                                          \
		if (!CHECK_STR_T(actual, expected)) \
			return;                       \
	} while (0)

/* A libipvs call that must succeed (0); on failure the errno is shown. */
#define CHECK_OK(call)                                                                    \
	do {                                                                              \
		errno = 0;                                                                \
		int r_ = (call);                                                          \
		if (r_ != 0) {                                                            \
			harness_fail(__FILE__, __LINE__, "%s returned %d, errno %d (%s)", \
				     #call, r_, errno, strerror(errno));                  \
			return;                                                           \
		}                                                                         \
	} while (0)

/* A libipvs call that must fail with errno `err` (and -1). */
#define CHECK_FAILS(call, err)                          \
	do {                                            \
		errno = 0;                              \
		int r_ = (call);                        \
		int e_ = errno;                         \
		CHECK_INT(r_, -1);                      \
		CHECK_INT(e_, err);                     \
	} while (0)

#define HARNESS_MAIN                                                                    \
	int main(int argc, char **argv)                                                 \
	{                                                                               \
		harness_setup(argc, argv);                                              \
		int failed_tests = 0;                                                   \
		for (int i = 0; i < harness_count; i++) {                               \
			harness_before_each();                                          \
			int before = atomic_load(&harness_failures);                    \
			harness_tests[i].fn();                                          \
			int failed = atomic_load(&harness_failures) != before;          \
			failed_tests += failed;                                         \
			printf("test %s ... %s\n", harness_tests[i].name,               \
			       failed ? "FAILED" : "ok");                               \
			fflush(stdout);                                                 \
		}                                                                       \
		printf("test result: %s. %d passed; %d failed; 0 ignored; 0 measured; " \
		       "0 filtered out\n",                                              \
		       failed_tests ? "FAILED" : "ok", harness_count - failed_tests,    \
		       failed_tests);                                                   \
		return failed_tests ? 1 : 0;                                            \
	}

#endif
