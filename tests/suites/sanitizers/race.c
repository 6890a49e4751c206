/*
 * The sanitizer suite's canary: two threads write one int without a lock. Built and linked
 * as the C tests are, it must be reported (exit 66), or a clean run of them proves nothing.
 */
#include <pthread.h>
#include <stdio.h>

static int shared;

static void *writer(void *arg)
{
	(void)arg;
	shared++;
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, writer, NULL);
	pthread_create(&b, NULL, writer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("%d\n", shared);
	return 0;
}
