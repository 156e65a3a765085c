#include "sselib/textpreview.h"

namespace Sse {

QString utf8Prefix(QByteArrayView bytes, qsizetype maxBytes, bool *truncated)
{
    if (bytes.size() <= maxBytes) {
        *truncated = false;
        return QString::fromUtf8(bytes);
    }
    qsizetype cut = maxBytes;
    while (cut > 0 && (uchar(bytes.at(cut)) & 0xc0) == 0x80) // continuation byte
        --cut;
    *truncated = true;
    return QString::fromUtf8(bytes.first(cut));
}

QString linePreview(QByteArrayView bytes, qsizetype maxCharacters)
{
    bool truncated = false;
    // Up to 4 bytes per character, so this many bytes always give enough characters.
    QString text = utf8Prefix(bytes, maxCharacters * 4, &truncated);
    if (text.size() > maxCharacters) {
        qsizetype keep = maxCharacters;
        if (text.at(keep - 1).isHighSurrogate())
            --keep;
        text.truncate(keep);
        truncated = true;
    }
    for (QChar &c : text) {
        if (c == u'\n' || c == u'\r')
            c = QChar(u'\u23ce');
        else if (c == u'\t')
            c = QChar(u' ');
    }
    if (truncated)
        text.append(QChar(u'\u2026'));
    return text;
}

} // namespace Sse
