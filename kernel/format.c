// SPDX-License-Identifier: MIT
#include <axvm/format.h>

struct out {
    char *buf;
    size_t size;
    size_t len; /* characters produced so far, including those that did not fit */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left, zero, space, plus, alt;
    int width;
    int precision; /* -1 when not given */
    int length;    /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
};

static void out_number(struct out *o, const struct spec *sp, uint64_t value, bool negative,
                       unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    while (value) {
        tmp[n++] = digits[value % base];
        value /= base;
    }
    /* "%.0d" of zero prints nothing; otherwise zero is one digit. */
    if (n == 0 && sp->precision != 0)
        tmp[n++] = '0';

    int zeros = sp->precision > n ? sp->precision - n : 0;
    char sign = negative ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    const char *prefix = "";
    if (sp->alt && base == 16 && (n > 1 || tmp[0] != '0'))
        prefix = upper ? "0X" : "0x";
    if (sp->alt && base == 8 && zeros == 0 && tmp[n - 1] != '0')
        zeros = 1;
    int prefix_len = (int)(sign != 0) + (prefix[0] ? 2 : 0);
    int body = n + zeros + prefix_len;
    int pad = sp->width > body ? sp->width - body : 0;

    if (!sp->left && !(sp->zero && sp->precision < 0))
        out_repeat(o, ' ', pad);
    if (sign)
        out_char(o, sign);
    for (const char *p = prefix; *p; p++)
        out_char(o, *p);
    if (!sp->left && sp->zero && sp->precision < 0)
        out_repeat(o, '0', pad);
    out_repeat(o, '0', zeros);
    while (n)
        out_char(o, tmp[--n]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static void out_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    int n = 0;
    while (s[n] && (sp->precision < 0 || n < sp->precision))
        n++;
    int pad = sp->width > n ? sp->width - n : 0;
    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case -2:
        return (unsigned char)va_arg(*ap, unsigned int);
    case -1:
        return (unsigned short)va_arg(*ap, unsigned int);
    case 0:
        return va_arg(*ap, unsigned int);
    case 1:
        return va_arg(*ap, unsigned long);
    default:
        return va_arg(*ap, unsigned long long);
    }
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case -2:
        return (signed char)va_arg(*ap, int);
    case -1:
        return (short)va_arg(*ap, int);
    case 0:
        return va_arg(*ap, int);
    case 1:
        return va_arg(*ap, long);
    default:
        return va_arg(*ap, long long);
    }
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = {buf, size, 0};
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            out_char(&o, *f);
            continue;
        }
        struct spec sp = {0};
        sp.precision = -1;
        for (;;) {
            f++;
            if (*f == '-')
                sp.left = true;
            else if (*f == '0')
                sp.zero = true;
            else if (*f == ' ')
                sp.space = true;
            else if (*f == '+')
                sp.plus = true;
            else if (*f == '#')
                sp.alt = true;
            else
                break;
        }
        if (*f == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                sp.width = sp.width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            sp.precision = 0;
            if (*f == '*') {
                sp.precision = va_arg(ap, int);
                if (sp.precision < 0)
                    sp.precision = -1;
                f++;
            } else {
                while (*f >= '0' && *f <= '9')
                    sp.precision = sp.precision * 10 + (*f++ - '0');
            }
        }
        for (;;) {
            if (*f == 'l') {
                sp.length = sp.length >= 1 ? 2 : 1;
            } else if (*f == 'h') {
                sp.length = sp.length <= -1 ? -2 : -1;
            } else if (*f == 'z' || *f == 't' || *f == 'j') {
                sp.length = 3;
            } else {
                break;
            }
            f++;
        }

        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&sp, &ap);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            out_number(&o, &sp, mag, v < 0, 10, false);
            break;
        }
        case 'u':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), false, 10, false);
            break;
        case 'x':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), false, 16, false);
            break;
        case 'X':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), false, 16, true);
            break;
        case 'o':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), false, 8, false);
            break;
        case 'p':
            sp.alt = true;
            out_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            char s[2] = {c, 0};
            sp.precision = 1;
            out_string(&o, &sp, s);
            break;
        }
        case 's':
            out_string(&o, &sp, va_arg(ap, const char *));
            break;
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            f--; /* a lone '%' at the end: stop without reading past the string */
            break;
        default:
            /* Unknown conversion: print it as written so the mistake is visible. */
            out_char(&o, '%');
            out_char(&o, *f);
            break;
        }
    }
    va_end(ap);
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
