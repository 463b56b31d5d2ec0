# bin2c.cmake: cmake -DIN=<file> -DOUT=<file.c> -P bin2c.cmake
# Writes the bytes of IN as `const unsigned char vdso_image[]` and its size, for the kernel
# (core/vdso/vdso.c) to embed the vDSO image it maps into every process.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n    " bytes "${bytes}")
file(WRITE ${OUT}.tmp "/* generated from ${IN} by core/vdso/image/bin2c.cmake */\n"
     "#include <stddef.h>\n\n#include \"core/vdso/vdso.h\"\n\n"
     "const unsigned char vdso_image[] = {\n    ${bytes}\n};\n"
     "const size_t vdso_image_size = ${size};\n")
file(RENAME ${OUT}.tmp ${OUT})
