/* dynlib: a dynamically linked program's libraries at work. libm through DT_NEEDED (sqrt,
 * exp, log, pow, cbrt on values the compiler cannot fold), then dlopen + dlsym at run time:
 * glibc loads libresolv.so.2 from the library path and base64-encodes with its __b64_ntop;
 * musl (whose libm and libdl live in libc itself) resolves "libm.so" to libc and calls cbrt.
 * Both print the library's answer; failures name dlerror(). */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static volatile double two = 2.0, ten = 10.0, big = 1e6;

static int run_dlopen(void)
{
#ifdef __GLIBC__
    int (*ntop)(const unsigned char *, size_t, char *, size_t);
    void *h = dlopen("libresolv.so.2", RTLD_NOW);
    char out[64];

    if (!h || !(*(void **)&ntop = dlsym(h, "__b64_ntop"))) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    if (ntop((const unsigned char *)"petrel", 6, out, sizeof(out)) < 0)
        return 1;
    printf("dlopen libresolv.so.2: __b64_ntop(petrel) = %s\n", out);
#else
    double (*f)(double);
    void *h = dlopen("libm.so", RTLD_NOW);

    if (!h || !(*(void **)&f = dlsym(h, "cbrt"))) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    printf("dlopen libm.so: cbrt(1e6) = %.6f\n", f(big));
#endif
    return dlclose(h) != 0;
}

int main(void)
{
    printf("sqrt(2) = %.9f\n", sqrt(two));
    printf("exp(2) = %.9f\n", exp(two));
    printf("log(10) = %.9f\n", log(ten));
    printf("pow(2, 10) = %.1f\n", pow(two, ten));
    printf("cbrt(1e6) = %.6f\n", cbrt(big));
    return run_dlopen();
}
