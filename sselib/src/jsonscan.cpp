#include "sselib/jsonscan.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace Sse::JsonScan {

bool convertNumber(QByteArrayView token, double *value)
{
    const char *begin = token.data();
    const char *end = begin + token.size();

    // Short integers and decimals are by far the most common case in event payloads
    // (counters, token counts, prices). Up to 15 significant digits the digits are exact in a
    // double, and so is a power of ten up to 1e22: one multiplication or division of two exact
    // values is correctly rounded, so the result equals what from_chars gives.
    const char *digits = begin + (*begin == '-' ? 1 : 0);
    if (end - digits <= 17) {
        static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        qint64 mantissa = 0;
        int mantissaDigits = 0;
        int fractionDigits = 0;
        const char *p = digits;
        while (p != end && isDigit(*p)) {
            mantissa = mantissa * 10 + (*p++ - '0');
            mantissaDigits += mantissa != 0;
        }
        if (p != end && *p == '.') {
            ++p;
            while (p != end && isDigit(*p)) {
                mantissa = mantissa * 10 + (*p++ - '0');
                mantissaDigits += mantissa != 0;
                ++fractionDigits;
            }
        }
        if (p == end && mantissaDigits <= 15) {
            const double magnitude = double(mantissa) / powers[fractionDigits];
            *value = *begin == '-' ? -magnitude : magnitude;
            return true;
        }
    }

    double result = 0;
    const auto [ptr, error] = std::from_chars(begin, end, result);
    if (error == std::errc() && ptr == end) {
        *value = result;
        return true;
    }
    if (error != std::errc::result_out_of_range)
        return false;

    // from_chars leaves the value untouched when it is out of range. Tell underflow
    // (report a signed zero) from overflow (skip) by the decimal exponent of the first
    // significant digit.
    const char *p = digits;
    int significantExponent = 0;
    bool seenSignificant = false;
    while (p != end && isDigit(*p)) {
        if (*p != '0')
            seenSignificant = true;
        if (seenSignificant)
            ++significantExponent;
        ++p;
    }
    if (p != end && *p == '.') {
        ++p;
        while (p != end && isDigit(*p)) {
            if (seenSignificant)
                break;
            if (*p != '0')
                seenSignificant = true;
            else
                --significantExponent;
            ++p;
        }
        while (p != end && isDigit(*p))
            ++p;
    }
    if (!seenSignificant) {
        *value = *begin == '-' ? -0.0 : 0.0;
        return true;
    }
    int exponent = 0;
    if (p != end && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool negative = *p == '-';
        if (*p == '-' || *p == '+')
            ++p;
        while (p != end) {
            if (exponent < 1000000)
                exponent = exponent * 10 + (*p - '0');
            ++p;
        }
        if (negative)
            exponent = -exponent;
    }
    if (significantExponent + exponent < 0) {
        *value = *begin == '-' ? -0.0 : 0.0;
        return true;
    }
    return false;
}


namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

char32_t readHex4(const char *p)
{
    return char32_t(hexValue(p[0]) << 12 | hexValue(p[1]) << 8 | hexValue(p[2]) << 4
                    | hexValue(p[3]));
}

void appendUtf8(char32_t c, QByteArray *out)
{
    if (c < 0x80) {
        out->append(char(c));
    } else if (c < 0x800) {
        out->append(char(0xC0 | (c >> 6)));
        out->append(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out->append(char(0xE0 | (c >> 12)));
        out->append(char(0x80 | ((c >> 6) & 0x3F)));
        out->append(char(0x80 | (c & 0x3F)));
    } else {
        out->append(char(0xF0 | (c >> 18)));
        out->append(char(0x80 | ((c >> 12) & 0x3F)));
        out->append(char(0x80 | ((c >> 6) & 0x3F)));
        out->append(char(0x80 | (c & 0x3F)));
    }
}

} // namespace

void appendDecodedString(QByteArrayView content, QByteArray *out)
{
    const char *p = content.data();
    const char *end = p + content.size();
    while (p != end) {
        const char *backslash = static_cast<const char *>(std::memchr(p, '\\', size_t(end - p)));
        if (!backslash) {
            out->append(p, end - p);
            return;
        }
        out->append(p, backslash - p);
        p = backslash + 1; // scanString() guarantees a valid escape follows
        switch (*p++) {
        case 'b': out->append('\b'); break;
        case 'f': out->append('\f'); break;
        case 'n': out->append('\n'); break;
        case 'r': out->append('\r'); break;
        case 't': out->append('\t'); break;
        case 'u': {
            char32_t c = readHex4(p);
            p += 4;
            if (c >= 0xD800 && c < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                const char32_t low = readHex4(p + 2);
                if (low >= 0xDC00 && low < 0xE000) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            if (c >= 0xD800 && c < 0xE000)
                c = 0xFFFD;
            appendUtf8(c, out);
            break;
        }
        default: out->append(p[-1]); break; // '"', '\\' and '/'
        }
    }
}

} // namespace Sse::JsonScan
