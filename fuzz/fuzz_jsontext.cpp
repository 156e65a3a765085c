// libFuzzer target for the detail view's JSON formatter (app/views/jsontext): validate(), then
// the bounded and the whole pretty text. No crash, no hang; the bounded text is a prefix of the
// whole one and within its limit, prettySize() is the whole text's size, and no line is indented
// deeper than JsonText::MaximumIndentLevels levels (deep nesting is the shape to stress).

#include "views/jsontext.h"

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *input, size_t inputSize)
{
    const QByteArrayView json(reinterpret_cast<const char *>(input), qsizetype(inputSize));
    if (!JsonText::validate(json))
        return 0;
    constexpr qsizetype Limit = 4096;
    constexpr qsizetype Indent = 4 * JsonText::MaximumIndentLevels;
    bool truncated = false;
    const QByteArray shown = JsonText::prettyPrint(json, 4, Limit, &truncated);
    if (shown.size() > Limit + Indent + 2 + json.size())
        __builtin_trap();
    const qsizetype whole = JsonText::prettySize(json);
    // At most one line break and one capped indentation per input byte, however deep.
    if (whole > (Indent + 3) * json.size())
        __builtin_trap();
    const QByteArray full = JsonText::prettyPrint(json);
    if (full.size() != whole || !full.startsWith(shown) || (!truncated && shown != full))
        __builtin_trap();
    qsizetype indent = 0;
    for (const char c : full) {
        indent = c == '\n' ? 0 : (c == ' ' && indent >= 0 ? indent + 1 : -1);
        if (indent > Indent)
            __builtin_trap();
    }
    // The tree's walk over the top level.
    JsonText::members(json, JsonText::root(json), 100);
    return 0;
}
