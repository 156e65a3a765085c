#include "sselib/sseparser.h"
#include "utf8.h"

#include <cstring>

namespace Sse {

namespace {

constexpr char replacementCharacter[] = "\xEF\xBF\xBD";

// Runs the WHATWG "UTF-8 decoder" over [begin, end). When \a out is non-null the
// decoded text (re-encoded as UTF-8, with U+FFFD for every error) is appended to it.
// Returns the number of errors. Valid input is copied through unchanged.
int decode(const unsigned char *begin, const unsigned char *end, QByteArray *out)
{
    int errors = 0;
    const unsigned char *sequenceStart = begin;
    int bytesNeeded = 0;
    int bytesSeen = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;

    auto emitError = [&] {
        ++errors;
        if (out)
            out->append(replacementCharacter, 3);
    };

    const unsigned char *p = begin;
    while (p < end) {
        const unsigned char byte = *p;
        if (bytesNeeded == 0) {
            sequenceStart = p;
            ++p;
            if (byte < 0x80) {
                if (out)
                    out->append(char(byte));
            } else if (byte >= 0xC2 && byte <= 0xDF) {
                bytesNeeded = 1;
            } else if (byte >= 0xE0 && byte <= 0xEF) {
                if (byte == 0xE0)
                    lower = 0xA0;
                else if (byte == 0xED)
                    upper = 0x9F;
                bytesNeeded = 2;
            } else if (byte >= 0xF0 && byte <= 0xF4) {
                if (byte == 0xF0)
                    lower = 0x90;
                else if (byte == 0xF4)
                    upper = 0x8F;
                bytesNeeded = 3;
            } else {
                emitError();
            }
            continue;
        }
        if (byte < lower || byte > upper) {
            // The maximal subpart so far is one error; the byte is looked at again.
            bytesNeeded = bytesSeen = 0;
            lower = 0x80;
            upper = 0xBF;
            emitError();
            continue;
        }
        lower = 0x80;
        upper = 0xBF;
        ++bytesSeen;
        ++p;
        if (bytesSeen == bytesNeeded) {
            if (out)
                out->append(reinterpret_cast<const char *>(sequenceStart), p - sequenceStart);
            bytesNeeded = bytesSeen = 0;
        }
    }
    if (bytesNeeded != 0)
        emitError();
    return errors;
}

} // namespace

bool isAscii(const char *bytes, qsizetype size)
{
    qsizetype i = 0;
    // 32 bytes per step for long runs, then 8, then single bytes.
    for (; i + 32 <= size; i += 32) {
        quint64 words[4];
        std::memcpy(words, bytes + i, 32);
        if ((words[0] | words[1] | words[2] | words[3]) & 0x8080808080808080ULL)
            return false;
    }
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, bytes + i, 8);
        if (word & 0x8080808080808080ULL)
            return false;
    }
    for (; i < size; ++i) {
        if (static_cast<unsigned char>(bytes[i]) & 0x80)
            return false;
    }
    return true;
}

int countUtf8Errors(const char *bytes, qsizetype size)
{
    if (isAscii(bytes, size))
        return 0;
    auto begin = reinterpret_cast<const unsigned char *>(bytes);
    return decode(begin, begin + size, nullptr);
}

int sanitizeUtf8(const char *bytes, qsizetype size, QByteArray &out)
{
    out.clear();
    out.reserve(size + 16);
    auto begin = reinterpret_cast<const unsigned char *>(bytes);
    return decode(begin, begin + size, &out);
}

int sanitizeUtf8(QByteArray &bytes)
{
    if (countUtf8Errors(bytes.constData(), bytes.size()) == 0)
        return 0;
    QByteArray fixed;
    const int errors = sanitizeUtf8(bytes.constData(), bytes.size(), fixed);
    bytes = std::move(fixed);
    return errors;
}

} // namespace Sse
